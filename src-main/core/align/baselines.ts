import type { LayerView } from './layerView'
import { ResampledLayer } from './layerView'
import { scorePair, type MetricContext, type MetricName } from './metrics'
import { mulberry32, permutation, resample, subSeed } from '../../common/random'
import { checkAbort } from './referenceBackend'

/** Expected mutual_knn for unrelated features: each of k neighbours is one of N−1 others. */
export function chanceMutualKnn(k: number, n: number): number {
  return k / (n - 1)
}

import type { PermutationStats } from '../../common/contract/align'

export type { PermutationStats } from '../../common/contract/align'

/** One scored pair: the metrics that chose this pair and their observed scores. */
export interface PairJob {
  a: LayerView
  b: LayerView
  metrics: MetricName[]
  observed: Record<string, number>
}

/**
 * Permutation null: B's items are shuffled (seeded) so that row i of A meets a random row of B,
 * and each metric is recomputed on the same (already selected) layer pair R times. Conditional on
 * the pair, so under layer search it does not account for the maximum over pairs.
 */
export async function permutationNull(jobs: PairJob[], R: number, seed: number, ctx: MetricContext, onStep?: (done: number) => void): Promise<Record<string, PermutationStats>> {
  const rng = mulberry32(subSeed(seed, 'permutation'))
  const values: Record<string, number[]> = {}
  for (const job of jobs) for (const m of job.metrics) values[m] = []
  const n = jobs[0]?.a.n ?? 0
  for (let r = 0; r < R; r++) {
    checkAbort(ctx.signal)
    const perm = permutation(rng, n)
    for (const job of jobs) {
      const b = new ResampledLayer(job.b, perm, true)
      for (const m of job.metrics) values[m]!.push((await scorePair(m, job.a, b, ctx)).score)
    }
    onStep?.(r + 1)
  }
  const out: Record<string, PermutationStats> = {}
  for (const job of jobs) {
    for (const m of job.metrics) {
      const v = values[m]!
      const mean = v.reduce((s, x) => s + x, 0) / R
      const sd = R > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (R - 1)) : 0
      const ge = v.filter((x) => x >= job.observed[m]!).length
      out[m] = { r: R, mean, sd, p_value: (1 + ge) / (R + 1) }
    }
  }
  return out
}

/**
 * Bootstrap 95% percentile intervals: items resampled with replacement (seeded; the same
 * resample for A and B and for every metric), each metric recomputed on its selected layer pair,
 * and the 2.5th / 97.5th percentiles (linear interpolation, numpy's default) of the R scores.
 * Copies of one item are never each other's neighbours (see ResampledLayer). Kernel metrics use
 * the resampled Gram as is (standard weighted bootstrap); duplicates are perfectly aligned pairs,
 * so at small N kernel scores are biased upward and the interval may not contain the full-data
 * score. Needs each layer's N x N Gram (or an SVD per resample for svcca).
 */
export async function bootstrapIntervals(jobs: PairJob[], R: number, seed: number, ctx: MetricContext, onStep?: (done: number) => void): Promise<Record<string, [number, number]>> {
  const rng = mulberry32(subSeed(seed, 'bootstrap'))
  const values: Record<string, number[]> = {}
  for (const job of jobs) for (const m of job.metrics) values[m] = []
  const n = jobs[0]?.a.n ?? 0
  for (let r = 0; r < R; r++) {
    checkAbort(ctx.signal)
    const src = resample(rng, n)
    for (const job of jobs) {
      const a = new ResampledLayer(job.a, src, false)
      const b = new ResampledLayer(job.b, src, false)
      for (const m of job.metrics) values[m]!.push((await scorePair(m, a, b, ctx)).score)
    }
    onStep?.(r + 1)
  }
  const out: Record<string, [number, number]> = {}
  for (const [m, v] of Object.entries(values)) {
    const sorted = Float64Array.from(v).sort()
    out[m] = [percentile(sorted, 0.025), percentile(sorted, 0.975)]
  }
  return out
}

/** Linear-interpolation percentile of ascending values: pos = p·(R−1). */
export function percentile(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}
