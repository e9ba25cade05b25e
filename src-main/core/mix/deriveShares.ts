import { badInput } from '../../common/errors'
import type { MixtureLayout } from './layout'
import { labelColumn, numericColumn, type MixtureTable } from './table'
import type { DerivedShareRow, DerivedShares } from '../../common/contract/mix'

export type { DerivedShareRow, DerivedShares } from '../../common/contract/mix'

export interface DeriveOptions {
  /** Category columns of the per-source table (Table 4 of the paper uses these names). */
  reasoningCategory?: string
  visualCategory?: string
  /** Fixed tolerance in percentage points; default: the rounding bound of the printed numbers (see below). */
  tolerancePct?: number
  /** Divide by the recipe's share sum (for recipes whose shares do not add up to exactly 100). */
  normalise?: boolean
  /** recipe share column → source label, for names the automatic matching cannot pair. */
  sourceMap?: Record<string, string>
}

/**
 * Derived category shares of each recipe from a per-source category table (the paper's Table 4):
 *
 *   share_cat(recipe) = Σ_s share_s(recipe) [%] × cat_s [%] / 100
 *
 * for cat = `reasoning_combination` (reasoning) and `visual_combination` (visual), optionally divided
 * by Σ_s share_s / 100. This plain mixture-weighted average reproduces the paper's printed reasoning
 * and visual columns for mix0–mix6 within 0.06 points (Han et al. 2025, Tables 2 and 4); normalising
 * changes nothing beyond 0.04 points there.
 *
 * Tolerance: by default each comparison allows the worst-case rounding error of the printed inputs,
 *   tol = h(given) + Σ_s h(share_s) · cat_s/100 + Σ_s share_s/100 · h(cat),   h(col) = ½·10^(−decimals(col)),
 * i.e. 0.15 (visual) to 0.25 (reasoning) points for the paper's one-decimal tables. A fixed 0.5-point
 * tolerance would miss mix7 (visual printed 14.4, derived 13.99); the rounding bound flags exactly
 * mix7–mix10, whose printed shares do not follow from Table 4.
 */
export function deriveShares(recipes: MixtureTable, layout: MixtureLayout, sources: MixtureTable, opts: DeriveOptions = {}): DerivedShares {
  const rCat = opts.reasoningCategory ?? 'reasoning_combination'
  const vCat = opts.visualCategory ?? 'visual_combination'
  const rVals = numericColumn(sources, rCat)
  const vVals = numericColumn(sources, vCat)
  const srcLabel = labelColumn(sources)
  if (!srcLabel) throw badInput(sources.name, 'needs a text column naming each source (e.g. "source")')
  if (layout.shares.length === 0) throw badInput(recipes.name, 'no source-share columns found (columns summing to 100 per recipe)')
  const srcNames = sources.rows.map((r) => String(r[srcLabel] ?? ''))
  const mapping: Record<string, string> = {}
  const srcIndex: number[] = []
  for (const c of layout.shares) {
    const i = matchSource(c, srcNames, opts.sourceMap?.[c])
    if (i < 0) throw badInput(sources.name, `no source matches the recipe column "${c}" (sources: ${srcNames.join(', ')})`)
    if (srcIndex.includes(i)) throw badInput(sources.name, `source "${srcNames[i]}" matches two recipe columns`)
    srcIndex.push(i)
    mapping[c] = srcNames[i]!
    const rv = rVals[i]
    const vv = vVals[i]
    if (rv === null || rv === undefined || vv === null || vv === undefined) {
      throw badInput(sources.name, `source "${srcNames[i]}" has no ${rv == null ? rCat : vCat} value`)
    }
  }

  const half = (t: MixtureTable, c: string): number => 0.5 * 10 ** -(t.decimals[c] ?? 0)
  const recLabel = labelColumn(recipes)
  const rows: DerivedShareRow[] = recipes.rows.map((rec, i) => {
    let r = 0
    let v = 0
    let sum = 0
    let tolR = 0
    let tolV = 0
    layout.shares.forEach((c, j) => {
      const s = rec[c]
      if (typeof s !== 'number') throw badInput(recipes.name, `row ${recipes.rowNumbers[i]}, column "${c}": share is missing`)
      const k = srcIndex[j]!
      const rc = rVals[k]!
      const vc = vVals[k]!
      r += (s * rc) / 100
      v += (s * vc) / 100
      sum += s
      tolR += (half(recipes, c) * rc) / 100 + (s * half(sources, rCat)) / 100
      tolV += (half(recipes, c) * vc) / 100 + (s * half(sources, vCat)) / 100
    })
    if (opts.normalise && sum > 0) {
      r = (r * 100) / sum
      v = (v * 100) / sum
    }
    const rg = layout.reasoning ? (rec[layout.reasoning] as number | null) : null
    const vg = layout.visual ? (rec[layout.visual] as number | null) : null
    const reasoningTolerance = opts.tolerancePct ?? tolR + (layout.reasoning ? half(recipes, layout.reasoning) : 0)
    const visualTolerance = opts.tolerancePct ?? tolV + (layout.visual ? half(recipes, layout.visual) : 0)
    const rd = rg === null ? null : rg - r
    const vd = vg === null ? null : vg - v
    const disagrees = (rd !== null && Math.abs(rd) > reasoningTolerance) || (vd !== null && Math.abs(vd) > visualTolerance)
    return {
      row: recipes.rowNumbers[i]!,
      label: recLabel ? (rec[recLabel] as string | null) : null,
      reasoning: r,
      visual: v,
      reasoningGiven: rg,
      visualGiven: vg,
      reasoningDiff: rd,
      visualDiff: vd,
      reasoningTolerance,
      visualTolerance,
      disagrees,
    }
  })
  return {
    rows,
    mapping,
    disagreeing: rows.filter((r) => r.disagrees).map((r) => r.label ?? `row ${r.row}`),
    formula: `share = Σ_s share_s × ${rCat}|${vCat}_s / 100${opts.normalise ? ' / (Σ_s share_s / 100)' : ''}`,
  }
}

/**
 * Pairs a recipe column with a source label: explicit map first, then equal names after lower-casing and
 * dropping non-alphanumerics (web_crawl = web-crawl), then a unique shared prefix of at least 5 letters
 * (academic ↔ academia). Returns −1 when nothing or more than one source matches.
 */
export function matchSource(column: string, sources: string[], explicit?: string): number {
  const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (explicit !== undefined) return sources.findIndex((s) => s === explicit || norm(s) === norm(explicit))
  const c = norm(column)
  const exact = sources.findIndex((s) => norm(s) === c)
  if (exact >= 0) return exact
  const lcp = (a: string, b: string): number => {
    let i = 0
    while (i < a.length && i < b.length && a[i] === b[i]) i++
    return i
  }
  const hits = sources.map((s, i) => ({ i, p: lcp(norm(s), c) })).filter((h) => h.p >= 5)
  if (hits.length === 0) return -1
  hits.sort((a, b) => b.p - a.p)
  return hits.length > 1 && hits[0]!.p === hits[1]!.p ? -1 : hits[0]!.i
}
