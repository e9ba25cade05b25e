import type { LayerView } from './layerView'

/**
 * RSA (representational similarity analysis; Kriegeskorte et al. 2008), exact form: the Spearman
 * correlation between the upper triangles (i < j, all N(N−1)/2 pairs, no sampling) of the two
 * Euclidean distance matrices of the prepared features. Ranks are average ranks for ties (as
 * `scipy.stats.spearmanr`), and Spearman is the Pearson correlation of the ranks:
 *   rsa = Σ_t (r_A(t) − r̄)(r_B(t) − r̄) / sqrt(Σ_t (r_A(t) − r̄)² · Σ_t (r_B(t) − r̄)²).
 * Squared distances have the same ranks (and ties) as distances, so no square root is taken.
 * Symmetric; 1 for a rotated (or uniformly scaled) copy; undefined (0 with a reason) when every
 * distance of a side is tied.
 */
export async function rsa(a: LayerView, b: LayerView) {
  const ra = await centredDistanceRanks(a)
  const rb = await centredDistanceRanks(b)
  if (ra.norm === 0 || rb.norm === 0) {
    return { score: 0, undefinedReason: `${ra.norm === 0 ? a.label : b.label}: every pairwise distance is equal; rsa is undefined` }
  }
  let s = 0
  const x = ra.ranks
  const y = rb.ranks
  for (let t = 0; t < x.length; t++) s += x[t]! * y[t]!
  return { score: s / (ra.norm * rb.norm), undefinedReason: null }
}

export interface CentredRanks {
  /** Average ranks (1-based) of the upper-triangle distances (row-major, i < j) minus their mean. */
  ranks: Float64Array
  /** sqrt(Σ ranks²). */
  norm: number
}

/** Per-layer ranks, computed once per layer (memoised on the view). */
export function centredDistanceRanks(v: LayerView): Promise<CentredRanks> {
  return v.memo('rsa.ranks', async () => centredRanks(squaredDistances(v)))
}

/** Average ranks of `values` minus their mean (N+1)/2, and the norm of the result. */
export function centredRanks(values: Float64Array): CentredRanks {
  const ranks = averageRanks(values)
  const mean = (ranks.length + 1) / 2
  let ss = 0
  for (let t = 0; t < ranks.length; t++) {
    ranks[t] = ranks[t]! - mean
    ss += ranks[t]! * ranks[t]!
  }
  return { ranks, norm: Math.sqrt(ss) }
}

/** ‖x_i − x_j‖² for i < j in row-major upper-triangle order, float64, from the features directly. */
export function squaredDistances(v: LayerView): Float64Array {
  const F = v.features()
  const n = F.rows
  const d = F.cols
  const x = F.data
  const out = new Float64Array((n * (n - 1)) / 2)
  let t = 0
  for (let i = 0; i < n; i++) {
    const oi = i * d
    for (let j = i + 1; j < n; j++) {
      const oj = j * d
      let s = 0
      for (let c = 0; c < d; c++) {
        const diff = x[oi + c]! - x[oj + c]!
        s += diff * diff
      }
      out[t++] = s
    }
  }
  return out
}

/** 1-based ranks with ties given the mean of the ranks they span (scipy's `rankdata(method='average')`). */
export function averageRanks(values: Float64Array): Float64Array {
  const m = values.length
  const order = new Uint32Array(m)
  for (let t = 0; t < m; t++) order[t] = t
  order.sort((p, q) => values[p]! - values[q]!)
  const ranks = new Float64Array(m)
  let s = 0
  while (s < m) {
    let e = s + 1
    while (e < m && values[order[e]!] === values[order[s]!]) e++
    // positions s..e-1 (0-based) share ranks s+1..e, whose mean is (s + 1 + e) / 2
    const r = (s + 1 + e) / 2
    for (let t = s; t < e; t++) ranks[order[t]!] = r
    s = e
  }
  return ranks
}
