import { badInput } from '../../common/errors'
import type { Direction } from './rankRecipes'
import { labelColumn, numericColumn, type MixtureTable } from './table'
import type { AlignmentVersusMixture } from '../../common/contract/mix'

export type { AlignmentVersusMixture } from '../../common/contract/mix'

export interface ParetoPoint {
  label: string | null
  values: number[]
}

/**
 * Indices of the non-dominated points (the Pareto front). Point a dominates b when it is at least as
 * good on every objective (per its direction) and strictly better on one. O(n² m), fine for recipe tables.
 * Returned in ascending order of the first objective, the order to draw the front as a line.
 */
export function paretoFront(points: readonly ParetoPoint[], directions: readonly Direction[]): number[] {
  const m = directions.length
  points.forEach((p, i) => {
    if (p.values.length !== m) throw badInput('pareto', `point ${i + 1} has ${p.values.length} values for ${m} objectives`)
    if (p.values.some((v) => !Number.isFinite(v))) throw badInput('pareto', `point ${p.label ?? i + 1} has a missing or non-finite value`)
  })
  const geq = (a: number, b: number, d: Direction): boolean => (d === 'higher' ? a >= b : a <= b)
  const gt = (a: number, b: number, d: Direction): boolean => (d === 'higher' ? a > b : a < b)
  const dominates = (a: ParetoPoint, b: ParetoPoint): boolean =>
    directions.every((d, k) => geq(a.values[k]!, b.values[k]!, d)) && directions.some((d, k) => gt(a.values[k]!, b.values[k]!, d))
  const front = points.map((_, i) => i).filter((i) => !points.some((q, j) => j !== i && dominates(q, points[i]!)))
  return front.sort((a, b) => points[a]!.values[0]! - points[b]!.values[0]!)
}

export interface TradeOff {
  xMetric: string
  yMetric: string
  points: { label: string | null; row: number; x: number; y: number; onFront: boolean }[]
  /** Front points in x order, ready to draw as a line. */
  front: { label: string | null; x: number; y: number }[]
}

/** Trade-off scatter of two metrics (e.g. t_acc vs v_acc) with recipe labels and the Pareto front; rows missing either metric are left out. */
export function tradeOff(t: MixtureTable, xMetric: string, yMetric: string, directions: [Direction, Direction]): TradeOff {
  const xs = numericColumn(t, xMetric)
  const ys = numericColumn(t, yMetric)
  const label = labelColumn(t)
  const pts = t.rows
    .map((r, i) => ({ label: label ? (r[label] as string | null) : null, row: t.rowNumbers[i]!, x: xs[i]!, y: ys[i]! }))
    .filter((p) => p.x !== null && p.y !== null)
  const front = paretoFront(
    pts.map((p) => ({ label: p.label, values: [p.x, p.y] })),
    directions,
  )
  const on = new Set(front)
  return {
    xMetric,
    yMetric,
    points: pts.map((p, i) => ({ ...p, onFront: on.has(i) })),
    front: front.map((i) => ({ label: pts[i]!.label, x: pts[i]!.x, y: pts[i]!.y })),
  }
}

export interface ShareSeries {
  share: string
  series: { metric: string; points: { x: number; y: number; label: string | null }[] }[]
}

/**
 * "Share versus score": one share on x, one line per metric, points sorted by share. Rows missing the
 * share or the metric are skipped for that line only. `shareValues` lets derived shares stand in for a
 * column (e.g. the reasoning share computed from Table 4).
 */
export function shareVersusScore(t: MixtureTable, share: string, metrics: string[], shareValues?: readonly (number | null)[]): ShareSeries {
  const xs = shareValues ?? numericColumn(t, share)
  if (xs.length !== t.rows.length) throw badInput('share values', `${xs.length} values for ${t.rows.length} rows`)
  const label = labelColumn(t)
  return {
    share,
    series: metrics.map((m) => {
      const ys = numericColumn(t, m)
      const points = t.rows
        .map((r, i) => ({ x: xs[i]!, y: ys[i]!, label: label ? (r[label] as string | null) : null }))
        .filter((p) => p.x !== null && p.y !== null)
        .sort((a, b) => a.x - b.x)
      return { metric: m, points }
    }),
  }
}

export interface AlignmentPoint {
  /** Share of the mixture (percent), e.g. the reasoning share of the LLM's pre-training data. */
  share: number
  /** Stored alignment score (e.g. mutual k-NN) of this LLM to one vision model. */
  score: number
  model?: string
  visionModel?: string
}

/**
 * Alignment versus mixture (Han et al. 2025, Figure 11): stored alignment scores of LLMs tagged with a
 * mixture share, against that share, with the chance level. Give `chance` directly or `k` and `n`
 * (mutual k-NN chance = k/(n − 1)).
 */
export function alignmentVersusMixture(points: readonly AlignmentPoint[], opts: { chance?: number; k?: number; n?: number } = {}): AlignmentVersusMixture {
  for (const [i, p] of points.entries()) {
    if (!Number.isFinite(p.share) || !Number.isFinite(p.score)) throw badInput('alignment vs mixture', `point ${i + 1} (${p.model ?? 'model'}) has a missing share or score`)
  }
  let chance: number | null = opts.chance ?? null
  if (chance === null && opts.k !== undefined && opts.n !== undefined) {
    if (!(opts.n > 1 && opts.k >= 1 && opts.k < opts.n)) throw badInput('alignment vs mixture', `chance needs 1 ≤ k < n, got k = ${opts.k}, n = ${opts.n}`)
    chance = opts.k / (opts.n - 1)
  }
  const byVision = new Map<string, { share: number; score: number; model?: string }[]>()
  const byShare = new Map<number, { sum: number; count: number }>()
  for (const p of points) {
    const key = p.visionModel ?? ''
    if (!byVision.has(key)) byVision.set(key, [])
    byVision.get(key)!.push({ share: p.share, score: p.score, ...(p.model !== undefined ? { model: p.model } : {}) })
    const s = byShare.get(p.share) ?? { sum: 0, count: 0 }
    s.sum += p.score
    s.count++
    byShare.set(p.share, s)
  }
  const mean = [...byShare.entries()].map(([share, s]) => ({ share, score: s.sum / s.count, count: s.count })).sort((a, b) => a.share - b.share)
  let best: AlignmentVersusMixture['best'] = null
  for (const m of mean) if (!best || m.score > best.score) best = { share: m.share, score: m.score }
  return {
    perVision: [...byVision.entries()].map(([visionModel, pts]) => ({ visionModel, points: pts.sort((a, b) => a.share - b.share) })),
    mean,
    chance,
    best,
  }
}
