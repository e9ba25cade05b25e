import type { Mat } from '../../common/matrix'
import type { LayerView } from './layerView'
import { symEig } from './symEig'

/** Number of singular directions kept on each side (`cca_dim` in the official code). */
export const SVCCA_DIM = 10
/** Singular directions with σ² below this fraction of the largest σ² are rank deficiency, not signal. */
const RANK_TOL = 1e-10

/**
 * SVCCA (Raghu et al. 2017), deterministic form: each column z-scored (population mean, unbiased
 * std + 1e−8, as `preprocess_activations` in minyoungg/platonic-rep metrics.py), U_A and U_B the
 * exact top-10 left singular vectors, and the score the mean cosine of the principal angles
 * between span(U_A) and span(U_B), i.e. the mean singular value of U_Aᵀ U_B.
 * For orthonormal, centred U this equals the mean canonical correlation that the official code
 * estimates with `torch.svd_lowrank` (randomised) and sklearn's iterative CCA, hence "deterministic".
 * When a side has rank r < 10 (N ≤ 10, D < 10, or constant columns) only its r meaningful
 * directions are used and the mean runs over min(r_A, r_B) angles; a side of rank 0 (the whole
 * layer constant) makes the score undefined (reported as 0 with a reason).
 */
export async function svcca(a: LayerView, b: LayerView) {
  const ua = await svccaBasis(a)
  const ub = await svccaBasis(b)
  if (ua.r === 0 || ub.r === 0) {
    const which = ua.r === 0 ? a.label : b.label
    return { score: 0, undefinedReason: `${which}: every column is constant across items (zero variance); SVCCA is undefined` }
  }
  return { score: meanPrincipalCosine(ua.U, ua.r, ub.U, ub.r, a.n), undefinedReason: null }
}

/** The memoised top singular directions of a layer's z-scored features (N x r, row-major). */
export function svccaBasis(v: LayerView): Promise<{ U: Float64Array; r: number }> {
  return v.memo('svcca.U', async () => topLeftSingularVectors(zScore(v.features()), SVCCA_DIM))
}

/** Columns centred and divided by (unbiased std + 1e−8); a constant column becomes zeros. */
export function zScore(X: Mat): Mat {
  const { rows: n, cols: d } = X
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c]! += X.data[i * d + c]!
  for (let c = 0; c < d; c++) mean[c]! /= n
  const ss = new Float64Array(d)
  const Z = new Float64Array(n * d)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      const v = X.data[i * d + c]! - mean[c]!
      Z[i * d + c] = v
      ss[c]! += v * v
    }
  }
  for (let c = 0; c < d; c++) ss[c] = 1 / (Math.sqrt(ss[c]! / (n - 1)) + 1e-8)
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) Z[i * d + c] = Z[i * d + c]! * ss[c]!
  return { data: Z, rows: n, cols: d }
}

/**
 * Top-r left singular vectors of Z (N x D) as an N x r row-major matrix, from the eigenvectors of
 * the smaller Gram: Z Zᵀ (N x N) directly, or Zᵀ Z (D x D) then u = Z v / σ.
 */
export function topLeftSingularVectors(Z: Mat, rMax: number): { U: Float64Array; r: number; sigma: Float64Array } {
  const { rows: n, cols: d } = Z
  const x = Z.data
  const useRows = n <= d
  const m = useRows ? n : d
  const S = new Float64Array(m * m)
  if (useRows) {
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0
        for (let c = 0; c < d; c++) s += x[i * d + c]! * x[j * d + c]!
        S[i * n + j] = s
        S[j * n + i] = s
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * d
      for (let a = 0; a < d; a++) {
        const xa = x[o + a]!
        if (xa === 0) continue
        for (let b = a; b < d; b++) S[a * d + b]! += xa * x[o + b]!
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) S[a * d + b] = S[b * d + a]!
  }
  const { values, vectors } = symEig(S, m)
  const top = values[m - 1]!
  let r = 0
  while (r < Math.min(rMax, m) && top > 0 && values[m - 1 - r]! > top * RANK_TOL) r++
  const U = new Float64Array(n * r)
  const sigma = new Float64Array(r)
  for (let t = 0; t < r; t++) {
    const col = m - 1 - t
    sigma[t] = Math.sqrt(values[col]!)
    if (useRows) {
      for (let i = 0; i < n; i++) U[i * r + t] = vectors[i * m + col]!
    } else {
      for (let i = 0; i < n; i++) {
        let s = 0
        for (let c = 0; c < d; c++) s += x[i * d + c]! * vectors[c * m + col]!
        U[i * r + t] = s / sigma[t]!
      }
    }
  }
  return { U, r, sigma }
}

/** Mean of the min(rA, rB) largest singular values of U_Aᵀ U_B (cosines of the principal angles). */
export function meanPrincipalCosine(UA: Float64Array, rA: number, UB: Float64Array, rB: number, n: number): number {
  const M = new Float64Array(rA * rB)
  for (let i = 0; i < n; i++) for (let p = 0; p < rA; p++) for (let q = 0; q < rB; q++) M[p * rB + q]! += UA[i * rA + p]! * UB[i * rB + q]!
  const MtM = new Float64Array(rB * rB)
  for (let p = 0; p < rA; p++) for (let q = 0; q < rB; q++) for (let s = 0; s < rB; s++) MtM[q * rB + s]! += M[p * rB + q]! * M[p * rB + s]!
  const { values } = symEig(MtM, rB)
  const count = Math.min(rA, rB)
  let sum = 0
  for (let t = 0; t < count; t++) sum += Math.sqrt(Math.max(0, values[rB - 1 - t]!))
  return sum / count
}
