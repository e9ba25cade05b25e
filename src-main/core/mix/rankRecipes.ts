import { badArg, badInput } from '../../common/errors'
import { rank as averageRank } from '../../common/stats'
import { labelColumn, listColumns, numericColumn, type MixtureTable } from './table'
import type { Direction, RankedRow, RankMethod, RankResult } from '../../common/contract/mix'

export type { Direction, RankedRow, RankResult } from '../../common/contract/mix'

export interface RankOptions {
  method: RankMethod
  /** Metric columns to rank on (default: every metric column passed in `metrics`). */
  metrics: string[]
  /** Per-metric direction; default from the column name (see defaultDirection). */
  directions?: Record<string, Direction>
  /** Per-metric weights for 'weighted-score' (default 1 each). */
  weights?: Record<string, number>
  /** Imported rank column, reported untouched as `rank_as_given`. */
  rankColumn?: string | null
}

/** Lower is better for perplexity, loss, error and rank-like names; higher for everything else (accuracy, score). */
export function defaultDirection(column: string): Direction {
  return /(^|[^a-z])(ppl|perplexity|loss|err|error|wer|cer|rank|nll|bpb|bpc)([^a-z]|$)/i.test(column) ? 'lower' : 'higher'
}

/** Parses `ppl:lower,t_acc:higher` (also `ppl=lower`, `min`/`max`, `-`/`+`). */
export function parseDirections(spec: string): Record<string, Direction> {
  const out: Record<string, Direction> = {}
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+?)[:=](.+)$/.exec(part)
    if (!m) throw badArg('directions', `"${part}" should look like COLUMN:lower or COLUMN:higher`)
    const d = m[2]!.trim().toLowerCase()
    const dir: Direction | null = ['lower', 'min', '-', 'less', 'down'].includes(d) ? 'lower' : ['higher', 'max', '+', 'more', 'up'].includes(d) ? 'higher' : null
    if (!dir) throw badArg('directions', `"${m[2]}" is not a direction; use lower or higher`)
    out[m[1]!.trim()] = dir
  }
  return out
}

/**
 * Ranks recipes by several metrics under a visible method:
 * - mean-rank: each metric ranks the recipes 1..n (1 = best in its direction, ties averaged as in
 *   scipy.stats.rankdata), the score is the mean of a recipe's available ranks, lower is better.
 * - weighted-score: each metric is min–max normalised to [0, 1] with 1 = best
 *   (n_i = (v_i − min)/(max − min), or 1 − that for lower-is-better; a constant metric gives 1 to all),
 *   the score is Σ w_m n_m / Σ w_m over the metrics the recipe has, higher is better.
 * Missing values drop that metric for that recipe only. The imported rank is carried as given.
 */
export function rankRecipes(t: MixtureTable, o: RankOptions): RankResult {
  if (o.metrics.length === 0) throw badInput(t.name, 'no metric columns to rank on')
  const directions: Record<string, Direction> = {}
  const weights: Record<string, number> = {}
  const metricSet = new Set(o.metrics)
  for (const k of Object.keys(o.directions ?? {})) if (!metricSet.has(k)) throw badArg('directions', `"${k}" is not a metric column (metrics: ${listColumns(o.metrics)})`)
  for (const m of o.metrics) {
    directions[m] = o.directions?.[m] ?? defaultDirection(m)
    const w = o.weights?.[m] ?? 1
    if (!(Number.isFinite(w) && w >= 0)) throw badArg('weights', `weight of "${m}" must be a non-negative number, got ${w}`)
    weights[m] = w
  }
  const n = t.rows.length
  const metricRanks: Record<string, (number | null)[]> = {}
  const normalised: Record<string, (number | null)[]> = {}
  for (const m of o.metrics) {
    const vals = numericColumn(t, m)
    const present = vals.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0)
    const signed = present.map((i) => (directions[m] === 'higher' ? -vals[i]! : vals[i]!))
    const r = averageRank(signed)
    metricRanks[m] = new Array<number | null>(n).fill(null)
    present.forEach((i, j) => (metricRanks[m]![i] = r[j]!))
    let lo = Infinity
    let hi = -Infinity
    for (const i of present) {
      lo = Math.min(lo, vals[i]!)
      hi = Math.max(hi, vals[i]!)
    }
    normalised[m] = vals.map((v) => {
      if (v === null) return null
      if (hi === lo) return 1
      const u = (v - lo) / (hi - lo)
      return directions[m] === 'higher' ? u : 1 - u
    })
  }
  const scores = t.rows.map((_, i) => {
    let s = 0
    let w = 0
    for (const m of o.metrics) {
      const val = o.method === 'mean-rank' ? metricRanks[m]![i] : normalised[m]![i]
      const wm = o.method === 'mean-rank' ? 1 : weights[m]!
      if (val === null || val === undefined || wm === 0) continue
      s += wm * val
      w += wm
    }
    return w > 0 ? s / w : NaN
  })
  // Competition ranking on the score; recipes with no metric at all rank last.
  const EPS = 1e-12
  const ranks = competitionRanks(scores, o.method === 'mean-rank', EPS)
  const label = labelColumn(t)
  const rows: RankedRow[] = t.rows.map((r, i) => ({
    row: t.rowNumbers[i]!,
    label: label ? (r[label] as string | null) : null,
    rank: ranks[i]!,
    score: scores[i]!,
    metricRanks: Object.fromEntries(o.metrics.map((m) => [m, metricRanks[m]![i]!])),
    rank_as_given: o.rankColumn ? (r[o.rankColumn] ?? null) : null,
  }))
  const dirText = o.metrics.map((m) => `${m} ${directions[m] === 'higher' ? '↑' : '↓'}`).join(', ')
  const description =
    o.method === 'mean-rank'
      ? `rank by the mean of per-metric ranks (${dirText}); ties averaged`
      : `rank by the weighted min–max normalised score (${o.metrics.map((m) => `${m} ${directions[m] === 'higher' ? '↑' : '↓'} ×${weights[m]}`).join(', ')})`
  return { method: o.method, directions, weights, rows, description }
}

/**
 * Competition ranks: 1 + the number of scores better than s by more than `eps` (lower is better when
 * `lowerBetter`); NaN ranks last (n). Counted by binary search in the sorted scores, n log n instead
 * of comparing every pair.
 */
export function competitionRanks(scores: readonly number[], lowerBetter: boolean, eps: number): number[] {
  const sorted = Float64Array.from(scores.filter((q) => !Number.isNaN(q))).sort()
  // Number of sorted values strictly below x.
  const below = (x: number): number => {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  // Number of sorted values strictly above x.
  const above = (x: number): number => {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]! <= x) lo = mid + 1
      else hi = mid
    }
    return sorted.length - lo
  }
  return scores.map((s) => (Number.isNaN(s) ? scores.length : 1 + (lowerBetter ? below(s - eps) : above(s + eps))))
}
