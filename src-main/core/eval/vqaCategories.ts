import { badInput } from '../../common/errors'
import type { CategoryMap, CategoryScore, VqaCategoryResult } from '../../common/contract/eval'

export type { CategoryMap, CategoryScore, VqaCategoryResult } from '../../common/contract/eval'

const key = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '')

export const MME_ASSUMPTION = 'MME is the perception score (0–2000) divided by 20 to put it on a 0–100 scale, as in the paper'

/**
 * Scores per benchmark (percent; MME as its perception score) → the paper's four category means and Avg VQA.
 * Benchmark names match case- and punctuation-insensitively ("CV-Bench COCO" = "cvbench_coco").
 * MME above 100 is divided by 20; a value ≤ 100 is taken as already scaled (and said so).
 */
export function vqaCategories(perBenchmarkScores: Record<string, number>, categoriesJson: CategoryMap): VqaCategoryResult {
  const given = new Map<string, { name: string; score: number }>()
  const assumptions: string[] = []
  for (const [name, v] of Object.entries(perBenchmarkScores)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(name, `score must be a finite number, got ${String(v)}`)
    let score = v
    if (key(name) === 'mme') {
      if (v > 100) {
        score = v / 20
        assumptions.push(MME_ASSUMPTION)
      } else assumptions.push(`MME score ${v} is ≤ 100, so it is taken as already on a 0–100 scale (not divided by 20)`)
    }
    if (given.has(key(name))) throw badInput(name, 'is given twice')
    given.set(key(name), { name, score })
  }
  const categories: Record<string, CategoryScore> = {}
  const assigned = new Set<string>()
  let sum = 0
  let count = 0
  for (const [cat, benches] of Object.entries(categoriesJson)) {
    const used: string[] = []
    const missing: string[] = []
    let s = 0
    for (const b of benches) {
      const g = given.get(key(b))
      if (!g) {
        missing.push(b)
        continue
      }
      used.push(b)
      s += g.score
      if (!assigned.has(key(b))) {
        assigned.add(key(b))
        sum += g.score
        count++
      }
    }
    categories[cat] = { score: used.length ? s / used.length : null, used, missing }
  }
  const unassigned = [...given.entries()].filter(([k]) => !assigned.has(k)).map(([, g]) => g.name)
  return { categories, avgVqa: count ? sum / count : null, unassigned, assumptions }
}
