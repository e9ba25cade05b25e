import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import { symmetricEigen } from './mds'

export interface ProcrustesResult {
  /** k × k orthogonal matrix R (row-major) applied on the right: aligned = scale · source · R + translation. */
  rotation: Mat
  /** Optimal isotropic scale s. */
  scale: number
  /** Translation t (length k). */
  translation: Float64Array
  /** source mapped onto target: s · X R + t, n × k, in the target's units. */
  aligned: Mat
  /**
   * scipy.spatial.procrustes's "disparity": both configurations centred and scaled to unit Frobenius norm,
   * then Σ (Ŷ − s X̂ R)², which equals 1 − (Σ σ_i)² (σ of X̂ᵀŶ). 0 = same shape, 1 = nothing in common.
   * Symmetric in source and target when reflections are allowed.
   */
  residual: number
  /** Whether R has determinant −1. */
  reflected: boolean
}

export interface ProcrustesOptions {
  /** Allow R to be a reflection (det −1), as scipy's `orthogonal_procrustes` does. Default true. */
  allowReflection?: boolean
}

/**
 * Orthogonal Procrustes analysis with scaling: find R (orthogonal), s > 0 and t minimising
 * ‖s X R + 1tᵀ − Y‖_F (Schönemann 1966; Gower & Dijksterhuis, Procrustes Problems, 2004, §4).
 * With X_c, Y_c the centred configurations and X_cᵀ Y_c = U Σ Vᵀ: R = U Vᵀ, s = tr Σ / ‖X_c‖²,
 * t = ȳ − s x̄ R. Without reflections the last singular direction is flipped when det(U Vᵀ) < 0.
 * The k × k SVD comes from the Jacobi eigen-decomposition of MᵀM (M = X_cᵀ Y_c); singular vectors of
 * zero singular values are completed by Gram–Schmidt. Residual as scipy.spatial.procrustes (see field).
 */
export function procrustes(source: Mat, target: Mat, opts: ProcrustesOptions = {}, where = 'procrustes'): ProcrustesResult {
  const allowReflection = opts.allowReflection ?? true
  if (source.rows !== target.rows || source.cols !== target.cols) {
    throw badInput(where, `configurations must have the same shape, got ${source.rows}x${source.cols} and ${target.rows}x${target.cols}`)
  }
  const n = source.rows
  const k = source.cols
  if (n < 2 || k < 1) throw badInput(where, `need at least 2 points in at least 1 dimension, got ${n}x${k}`)
  const xm = columnMeans(source, where)
  const ym = columnMeans(target, where)
  const xc = centred(source, xm)
  const yc = centred(target, ym)
  const xNorm2 = sumSquares(xc)
  const yNorm2 = sumSquares(yc)
  if (!(xNorm2 > 0)) throw badInput(where, 'the source configuration has all points equal; its shape is undefined')
  if (!(yNorm2 > 0)) throw badInput(where, 'the target configuration has all points equal; its shape is undefined')

  // M = X_cᵀ Y_c (k × k).
  const m = new Float64Array(k * k)
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const xa = xc[i * k + a]!
      for (let b = 0; b < k; b++) m[a * k + b]! += xa * yc[i * k + b]!
    }
  }
  const { u, sigma, v } = smallSvd(m, k)
  if (!allowReflection && det(u, k) * det(v, k) < 0) {
    // Flip the weakest direction: the best proper rotation (Umeyama 1991).
    for (let a = 0; a < k; a++) u[a * k + (k - 1)] = -u[a * k + (k - 1)]!
    sigma[k - 1] = -sigma[k - 1]!
  }
  const r = new Float64Array(k * k)
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0
      for (let c = 0; c < k; c++) s += u[a * k + c]! * v[b * k + c]!
      r[a * k + b] = s
    }
  }
  let traceSigma = 0
  for (let c = 0; c < k; c++) traceSigma += sigma[c]!
  const scale = traceSigma / xNorm2
  const translation = new Float64Array(k)
  for (let b = 0; b < k; b++) {
    let s = 0
    for (let a = 0; a < k; a++) s += xm[a]! * r[a * k + b]!
    translation[b] = ym[b]! - scale * s
  }
  const aligned = new Float64Array(n * k)
  let resid = 0
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < k; b++) {
      let s = 0
      for (let a = 0; a < k; a++) s += source.data[i * k + a]! * r[a * k + b]!
      const p = scale * s + translation[b]!
      aligned[i * k + b] = p
      resid += (p - target.data[i * k + b]!) ** 2
    }
  }
  // Residual of the aligned configuration measured in the normalised target's units = scipy's disparity.
  const residual = Math.min(1, Math.max(0, resid / yNorm2))
  return {
    rotation: { data: r, rows: k, cols: k },
    scale,
    translation,
    aligned: { data: aligned, rows: n, cols: k },
    residual,
    reflected: det(r, k) < 0,
  }
}

function columnMeans(x: Mat, where: string): Float64Array {
  const out = new Float64Array(x.cols)
  for (let i = 0; i < x.rows; i++) {
    for (let c = 0; c < x.cols; c++) {
      const val = x.data[i * x.cols + c]!
      if (!Number.isFinite(val)) throw badInput(where, `coordinate (${i}, ${c}) is ${val}; expected finite numbers`)
      out[c]! += val
    }
  }
  for (let c = 0; c < x.cols; c++) out[c]! /= x.rows
  return out
}

function centred(x: Mat, mean: Float64Array): Float64Array {
  const out = new Float64Array(x.rows * x.cols)
  for (let i = 0; i < x.rows; i++) for (let c = 0; c < x.cols; c++) out[i * x.cols + c] = x.data[i * x.cols + c]! - mean[c]!
  return out
}

function sumSquares(a: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!
  return s
}

/**
 * SVD of a small square matrix M = U diag(σ) Vᵀ: V and σ² from the eigen-decomposition of MᵀM, then
 * u_j = M v_j / σ_j; columns for (numerically) zero σ_j are completed to an orthonormal basis.
 */
function smallSvd(m: Float64Array, k: number): { u: Float64Array; sigma: Float64Array; v: Float64Array } {
  const mtm = new Float64Array(k * k)
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0
      for (let c = 0; c < k; c++) s += m[c * k + a]! * m[c * k + b]!
      mtm[a * k + b] = s
    }
  }
  const { values, vectors: v } = symmetricEigen(mtm, k)
  const sigma = new Float64Array(k)
  for (let j = 0; j < k; j++) sigma[j] = Math.sqrt(Math.max(0, values[j]!))
  const u = new Float64Array(k * k)
  const tiny = 1e-10 * (sigma[0]! || 1)
  const filled: boolean[] = []
  for (let j = 0; j < k; j++) {
    filled[j] = sigma[j]! > tiny
    if (!filled[j]) {
      sigma[j] = 0
      continue
    }
    for (let a = 0; a < k; a++) {
      let s = 0
      for (let c = 0; c < k; c++) s += m[a * k + c]! * v[c * k + j]!
      u[a * k + j] = s / sigma[j]!
    }
  }
  for (let j = 0; j < k; j++) if (!filled[j]) completeColumn(u, k, j, filled)
  return { u, sigma, v }
}

/** Sets column j of U to a unit vector orthogonal to the filled columns (Gram–Schmidt on the standard basis). */
function completeColumn(u: Float64Array, k: number, j: number, filled: boolean[]): void {
  let best: Float64Array | null = null
  let bestNorm = -1
  for (let e = 0; e < k; e++) {
    const w = new Float64Array(k)
    w[e] = 1
    for (let c = 0; c < k; c++) {
      if (!filled[c]) continue
      let dot = 0
      for (let a = 0; a < k; a++) dot += u[a * k + c]! * w[a]!
      for (let a = 0; a < k; a++) w[a]! -= dot * u[a * k + c]!
    }
    const norm = Math.sqrt(sumSquares(w))
    if (norm > bestNorm) {
      bestNorm = norm
      best = w
    }
  }
  for (let a = 0; a < k; a++) u[a * k + j] = best![a]! / bestNorm
  filled[j] = true
}

/** Determinant by Gaussian elimination with partial pivoting (k is tiny). */
function det(a: Float64Array, k: number): number {
  const m = Float64Array.from(a)
  let d = 1
  for (let c = 0; c < k; c++) {
    let p = c
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]!) > Math.abs(m[p * k + c]!)) p = r
    if (m[p * k + c] === 0) return 0
    if (p !== c) {
      for (let x = 0; x < k; x++) {
        const t = m[c * k + x]!
        m[c * k + x] = m[p * k + x]!
        m[p * k + x] = t
      }
      d = -d
    }
    d *= m[c * k + c]!
    for (let r = c + 1; r < k; r++) {
      const f = m[r * k + c]! / m[c * k + c]!
      for (let x = c; x < k; x++) m[r * k + x]! -= f * m[c * k + x]!
    }
  }
  return d
}
