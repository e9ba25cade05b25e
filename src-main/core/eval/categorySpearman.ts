import { badInput } from '../../common/errors'
import { isConstant, spearman } from '../../common/stats'
import type { SpearmanMatrix } from '../../common/contract/eval'

export type { SpearmanMatrix } from '../../common/contract/eval'

export interface ModelCategories {
  name: string
  categories: Record<string, number | null>
}

/**
 * Spearman correlation matrix of category scores across models (the paper's Fig. 5 is this over 105 3B
 * models). Models lacking any category are left out (named in a warning). p-values as in stats.spearman:
 * exact permutation for n ≤ 10, t approximation above. Needs at least 3 complete models.
 */
export function categorySpearman(models: ModelCategories[], categories?: string[]): SpearmanMatrix {
  const cats = categories ?? [...new Set(models.flatMap((m) => Object.keys(m.categories)))]
  const warnings: string[] = []
  const complete = models.filter((m) => cats.every((c) => typeof m.categories[c] === 'number' && Number.isFinite(m.categories[c])))
  const left = models.filter((m) => !complete.includes(m)).map((m) => m.name)
  if (left.length) warnings.push(`left out (a category has no score): ${left.join(', ')}`)
  if (complete.length < 3) throw badInput('categorySpearman', `needs at least 3 models with every category scored, got ${complete.length}`)
  const cols = cats.map((c) => complete.map((m) => m.categories[c] as number))
  const rho: (number | null)[][] = cats.map(() => cats.map(() => null))
  const p: (number | null)[][] = cats.map(() => cats.map(() => null))
  cats.forEach((c, i) => {
    if (isConstant(cols[i]!)) warnings.push(`${c} has the same score for every model; its correlations are undefined`)
  })
  for (let i = 0; i < cats.length; i++) {
    for (let j = i; j < cats.length; j++) {
      if (isConstant(cols[i]!) || isConstant(cols[j]!)) continue
      const s = i === j ? { rho: 1, p: 0 } : spearman(cols[i]!, cols[j]!)
      rho[i]![j] = rho[j]![i] = s.rho
      p[i]![j] = p[j]![i] = s.p
    }
  }
  return { categories: cats, rho, p, n: complete.length, models: complete.map((m) => m.name), warnings }
}
