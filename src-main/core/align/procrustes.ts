import type { Mat } from '../../common/matrix'
import type { LayerView } from './layerView'
import { centreColumns } from './referenceBackend'
import { symEig } from './symEig'

/**
 * Orthogonal Procrustes similarity (Schönemann 1966; the "Procrustes" score of Ding et al. 2021 as
 * 1 − distance/2): X, Y the prepared features with columns centred and scaled to ‖X‖_F = ‖Y‖_F = 1,
 *   procrustes = ‖Xᵀ Y‖_* (nuclear norm, the sum of the singular values) = max_{R orthogonal} ⟨X R, Y⟩.
 * 1 iff one is a rotation/reflection of the other (up to scale); works for different widths;
 * symmetric; in [0, 1].
 * Each side is first reduced to at most N columns: a factor Z with Z Zᵀ = X Xᵀ leaves the singular
 * values of Xᵀ Y unchanged (they are the square roots of the eigenvalues of Yᵀ X Xᵀ Y).
 */
export async function procrustes(a: LayerView, b: LayerView) {
  const za = await procrustesFactor(a)
  const zb = await procrustesFactor(b)
  if (!za || !zb) return { score: 0, undefinedReason: `${za ? b.label : a.label}: every column is constant across items; procrustes is undefined` }
  return { score: nuclearNormOfCross(za, zb), undefinedReason: null }
}

/** Centred, unit-Frobenius features reduced to ≤ N columns; null when all columns are constant. */
export function procrustesFactor(v: LayerView): Promise<Mat | null> {
  return v.memo('procrustes.factor', async () => {
    const X = centreColumns(v.features())
    let ss = 0
    for (let t = 0; t < X.data.length; t++) ss += X.data[t]! * X.data[t]!
    if (ss === 0) return null
    const inv = 1 / Math.sqrt(ss)
    for (let t = 0; t < X.data.length; t++) X.data[t] = X.data[t]! * inv
    return X.cols > X.rows ? rowFactor(X) : X
  })
}

/** Z = U Λ^{1/2} (N x r) from X Xᵀ = U Λ Uᵀ, keeping the eigenvalues above round-off. */
function rowFactor(X: Mat): Mat {
  const n = X.rows
  const d = X.cols
  const K = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0
      for (let c = 0; c < d; c++) s += X.data[i * d + c]! * X.data[j * d + c]!
      K[i * n + j] = s
      K[j * n + i] = s
    }
  }
  const { values, vectors } = symEig(K, n)
  const top = values[n - 1]!
  const keep: number[] = []
  for (let t = n - 1; t >= 0; t--) if (values[t]! > top * 1e-14) keep.push(t)
  const r = keep.length
  const Z = new Float64Array(n * r)
  keep.forEach((t, c) => {
    const s = Math.sqrt(values[t]!)
    for (let i = 0; i < n; i++) Z[i * r + c] = vectors[i * n + t]! * s
  })
  return { data: Z, rows: n, cols: r }
}

/**
 * ‖Xᵀ Y‖_* for X [N, p], Y [N, q]; `rowOf(i)` gives the row of Y met by row i of X (a permutation
 * in calibration, the identity otherwise). Σ sqrt(λ) over the eigenvalues of the smaller of MᵀM, MMᵀ.
 */
export function nuclearNormOfCross(X: Mat, Y: Mat, rowOf: (i: number) => number = (i) => i): number {
  const n = X.rows
  const p = X.cols
  const q = Y.cols
  const M = new Float64Array(p * q)
  for (let i = 0; i < n; i++) {
    const ox = i * p
    const oy = rowOf(i) * q
    for (let a = 0; a < p; a++) {
      const xa = X.data[ox + a]!
      if (xa === 0) continue
      const om = a * q
      for (let b = 0; b < q; b++) M[om + b]! += xa * Y.data[oy + b]!
    }
  }
  const small = Math.min(p, q)
  const C = new Float64Array(small * small)
  if (p <= q) {
    for (let a = 0; a < p; a++) for (let c = a; c < p; c++) {
      let s = 0
      for (let b = 0; b < q; b++) s += M[a * q + b]! * M[c * q + b]!
      C[a * p + c] = s
      C[c * p + a] = s
    }
  } else {
    for (let a = 0; a < q; a++) for (let c = a; c < q; c++) {
      let s = 0
      for (let b = 0; b < p; b++) s += M[b * q + a]! * M[b * q + c]!
      C[a * q + c] = s
      C[c * q + a] = s
    }
  }
  const { values } = symEig(C, small)
  let s = 0
  for (let t = 0; t < small; t++) s += Math.sqrt(Math.max(values[t]!, 0))
  return s
}
