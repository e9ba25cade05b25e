import type { Mat } from '../../common/matrix'
import { AppError } from '../../common/errors'
import type { KernelBackend } from './backend'
import { topKInto } from './topk'
import { innerProductsF64 } from './innerProducts'

/**
 * Plain TypeScript float64 implementation of the alignment kernels: the oracle the ONNX Runtime
 * kernels are tested against, and the fallback for small inputs when no runtime loads.
 */
export function createReferenceBackend(): KernelBackend {
  return {
    ep: 'reference',
    async knn(F, k, signal) {
      const n = F.rows
      if (k < 1 || k > n - 1) throw new AppError('BAD_INPUT', `knn: k must be in 1..${n - 1}, got ${k}`)
      const out = new Int32Array(n * k)
      const row = new Float64Array(n)
      const scratch = new Float64Array(k)
      for (let i = 0; i < n; i++) {
        if ((i & 63) === 0) checkAbort(signal)
        dotRow(F, i, row)
        topKInto(n, k, (j) => row[j]!, (j) => j === i, out, i * k, scratch)
      }
      return out
    },
    async gram(F, signal) {
      const n = F.rows
      const G = new Float64Array(n * n)
      const row = new Float64Array(n)
      for (let i = 0; i < n; i++) {
        if ((i & 63) === 0) checkAbort(signal)
        dotRow(F, i, row, i)
        for (let j = i; j < n; j++) {
          G[i * n + j] = row[j]!
          G[j * n + i] = row[j]!
        }
      }
      return G
    },
    async linearHsic(A, B, signal) {
      if (A.rows !== B.rows) throw new AppError('BAD_INPUT', `linearHsic: row counts differ (${A.rows} vs ${B.rows})`)
      const Ac = centreColumns(A)
      const Bc = centreColumns(B)
      checkAbort(signal)
      const ab = frobeniusSqOfCross(Ac, Bc, signal)
      const aa = frobeniusSqOfCross(Ac, Ac, signal)
      const bb = frobeniusSqOfCross(Bc, Bc, signal)
      return { ab, aa, bb }
    },
    async innerProducts(X, m, Y, n, d, signal) {
      checkAbort(signal)
      return innerProductsF64(X, m, Y, n, d)
    },
  }
}

/** row[j] = F_i . F_j for j >= from, float64 accumulation. */
function dotRow(F: Mat, i: number, row: Float64Array, from = 0): void {
  const d = F.cols
  const x = F.data
  const oi = i * d
  for (let j = from; j < F.rows; j++) {
    const oj = j * d
    let s = 0
    for (let c = 0; c < d; c++) s += x[oi + c]! * x[oj + c]!
    row[j] = s
  }
}

/** Columns minus their means (H X with H = I - 11^T/N), as float64. */
export function centreColumns(X: Mat): Mat {
  const { rows, cols } = X
  const out = new Float64Array(rows * cols)
  const mean = new Float64Array(cols)
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c]! += X.data[i * cols + c]!
  for (let c = 0; c < cols; c++) mean[c]! /= rows
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) out[i * cols + c] = X.data[i * cols + c]! - mean[c]!
  return { data: out, rows, cols }
}

/** ||X^T Y||_F^2, accumulating X^T Y (cols_X x cols_Y) row by row of the items. */
function frobeniusSqOfCross(X: Mat, Y: Mat, signal?: AbortSignal): number {
  const n = X.rows
  const p = X.cols
  const q = Y.cols
  const C = new Float64Array(p * q)
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) checkAbort(signal)
    const ox = i * p
    const oy = i * q
    for (let a = 0; a < p; a++) {
      const xa = X.data[ox + a]!
      if (xa === 0) continue
      const oc = a * q
      for (let b = 0; b < q; b++) C[oc + b]! += xa * Y.data[oy + b]!
    }
  }
  let s = 0
  for (let t = 0; t < C.length; t++) s += C[t]! * C[t]!
  return s
}

export function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'alignment cancelled')
}
