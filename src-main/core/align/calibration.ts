/**
 * Permutation-null calibration of an alignment score (Gröger, Wen, Brbić, "Revisiting the Platonic
 * Representation Hypothesis: An Aristotelian View", ICML 2026, arXiv:2602.14486). B's rows are
 * permuted K times; for each permutation the whole reported statistic (the full layer table and its
 * aggregate) is recomputed, giving null values T_1..T_K against which the observed T_obs is judged.
 */

import type { CalibrationAggregate, CalibrationStats } from '../../common/contract/align'

export type { CalibrationAggregate, CalibrationStats } from '../../common/contract/align'

/** Every calibrated metric is bounded above by 1. */
export const S_MAX = 1
const DEGENERATE_SPAN = 1e-12

/**
 * ⌈(1−α)(K+1)⌉, the 1-based rank of τ among the K+1 sorted values. The product is formed in
 * floating point, so a value a few ulps above a whole number (0.95·20 = 19.000…) is taken as that
 * whole number.
 */
export function thresholdRank(k: number, alpha: number): number {
  const x = (1 - alpha) * (k + 1)
  const r = Math.ceil(x - 1e-9 * Math.max(1, x))
  return Math.min(Math.max(r, 1), k + 1)
}

/**
 * The smallest K for which s_cal can be above 0 at level α: τ must not be the largest of the K+1
 * values, i.e. ⌈(1−α)(K+1)⌉ ≤ K. At α = 0.05 that is K = 19; every K ≤ 18 gives s_cal = 0.
 */
export function minPermutations(alpha: number): number {
  let k = 1
  while (thresholdRank(k, alpha) > k) k++
  return k
}

/** τ, p and s_cal of an observed statistic against its K null values (definitions above). */
export function calibrationStats(observed: number, nulls: ArrayLike<number>, alpha: number, aggregate: CalibrationAggregate): CalibrationStats {
  const k = nulls.length
  if (k < 1) throw new Error('calibrationStats: needs at least one null value')
  const all = new Float64Array(k + 1)
  all[0] = observed
  let ge = 0
  let sum = 0
  for (let t = 0; t < k; t++) {
    const v = nulls[t]!
    all[t + 1] = v
    if (v >= observed) ge++
    sum += v
  }
  all.sort()
  const threshold = all[thresholdRank(k, alpha) - 1]!
  const mean = sum / k
  let ss = 0
  for (let t = 0; t < k; t++) ss += (nulls[t]! - mean) ** 2
  const span = S_MAX - threshold
  const score = span <= DEGENERATE_SPAN ? 0 : Math.max((observed - threshold) / span, 0)
  const min = minPermutations(alpha)
  const note = k < min ? `K=${k} permutations cannot reject at alpha=${alpha}: the calibrated score is 0 by construction; use at least ${min}` : null
  return {
    permutations: k,
    alpha,
    aggregate,
    threshold,
    p_value: (1 + ge) / (k + 1),
    score,
    null_mean: mean,
    null_sd: k > 1 ? Math.sqrt(ss / (k - 1)) : 0,
    note,
    null_values: Array.from(nulls),
  }
}

/**
 * The statistic a layer table reports: for layered inputs the best pair as `bestPosition` reads it
 * (only scores > 0 qualify, so 0 when none does), for two 2-D inputs the single cell as it is.
 */
export function aggregateTable(matrix: ArrayLike<ArrayLike<number>>, layered: boolean): number {
  if (!layered) return matrix[0]![0]!
  let best = 0
  for (let i = 0; i < matrix.length; i++) {
    const row = matrix[i]!
    for (let j = 0; j < row.length; j++) if (row[j]! > best) best = row[j]!
  }
  return best
}

/**
 * Benjamini–Hochberg adjusted p-values (Benjamini & Hochberg 1995; as R's `p.adjust(p, "BH")`):
 * with p sorted ascending, p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j). Rejecting p̃ ≤ α rejects exactly
 * the hypotheses up to the largest k with p_(k) ≤ α·k/m. Non-finite inputs stay NaN and do not count in m.
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const idx = p.map((_, i) => i).filter((i) => Number.isFinite(p[i]!))
  idx.sort((a, b) => p[a]! - p[b]! || a - b)
  const m = idx.length
  const out = p.map(() => NaN)
  let running = 1
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!
    running = Math.min(running, (m * p[i]!) / (r + 1))
    out[i] = Math.min(running, 1)
  }
  return out
}
