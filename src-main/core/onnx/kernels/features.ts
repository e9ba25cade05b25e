import type { Mat } from '../../../common/matrix'
import { badInput } from '../../../common/errors'

/**
 * Largest squared row norm accepted. By Cauchy-Schwarz |F_i . F_j| <= |F_i| |F_j|, so every inner
 * product the float32 kernels form stays below float32's maximum (3.4e38) with some headroom.
 */
const MAX_NORM2 = 1e37

function checkShape(F: Mat, where: string): void {
  if (!Number.isInteger(F.rows) || !Number.isInteger(F.cols) || F.rows < 1 || F.cols < 1) {
    throw badInput(where, `expected a non-empty matrix, got ${F.rows} x ${F.cols}`)
  }
  if (F.data.length !== F.rows * F.cols) throw badInput(where, `data length ${F.data.length} does not match ${F.rows} x ${F.cols}`)
}

/**
 * The features as a contiguous float32 row-major array (the input itself when it already is one),
 * after checking that every value is finite and small enough for float32 inner products.
 */
export function featuresF32(F: Mat, where = 'features'): Float32Array {
  checkedColumnMeans(F, where, false)
  return F.data instanceof Float32Array ? F.data : Float32Array.from(F.data)
}

function rowProblem(s: number, i: number): string | null {
  // `!(s <= MAX)` is also true for NaN, so one test catches NaN, infinities and overflow.
  if (s <= MAX_NORM2) return null
  return Number.isFinite(s) ? `row ${i} has norm ${Math.sqrt(s).toExponential(2)}, too large for float32 kernels` : `row ${i} contains NaN or infinite values`
}

/**
 * The checks of `featuresF32` and, in the same pass over the data when `means` is set, the float64
 * column means (returns an empty array otherwise).
 */
function checkedColumnMeans(F: Mat, where: string, means: boolean): Float64Array {
  checkShape(F, where)
  const { data, rows, cols } = F
  const mean = new Float64Array(means ? cols : 0)
  for (let i = 0; i < rows; i++) {
    let s = 0
    const o = i * cols
    if (means) {
      for (let c = 0; c < cols; c++) {
        const v = data[o + c]!
        s += v * v
        mean[c]! += v
      }
    } else {
      for (let c = 0; c < cols; c++) s += data[o + c]! * data[o + c]!
    }
    const problem = rowProblem(s, i)
    if (problem) throw badInput(where, problem)
  }
  for (let c = 0; c < mean.length; c++) mean[c]! /= rows
  return mean
}

/** Column means in float64. */
export function columnMeans(F: Mat): Float64Array {
  const { data, rows, cols } = F
  const mean = new Float64Array(cols)
  for (let i = 0; i < rows; i++) {
    const o = i * cols
    for (let c = 0; c < cols; c++) mean[c]! += data[o + c]!
  }
  for (let c = 0; c < cols; c++) mean[c]! /= rows
  return mean
}

/** Column-centred copy of F as float32 row-major (Ac = H F), centring done in float64. */
export function centredF32(F: Mat, where = 'features'): Float32Array {
  featuresF32(F, where)
  const { data, rows, cols } = F
  const mean = columnMeans(F)
  const out = new Float32Array(rows * cols)
  for (let i = 0; i < rows; i++) {
    const o = i * cols
    for (let c = 0; c < cols; c++) out[o + c] = data[o + c]! - mean[c]!
  }
  return out
}

/**
 * Column-centred features, transposed: `[cols, rows]` float32 (row c holds feature c over all items),
 * centred with float64 column means and rounded once. Transposed because the feature-space products
 * Ac^T Bc then run as X Y^T over contiguous row blocks, which onnxruntime's GEMM does faster
 * than the transA form over column blocks.
 */
export function centredTransposed(F: Mat, where = 'features'): Float32Array {
  const mean = checkedColumnMeans(F, where, true)
  const { data, rows, cols } = F
  const out = new Float32Array(rows * cols)
  // 128 x 128 tiles keep both the reads and the transposed writes within a few pages.
  const T = 128
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T)
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T)
      for (let c = c0; c < c1; c++) {
        const m = mean[c]!
        const o = c * rows
        for (let i = i0; i < i1; i++) out[o + i] = data[i * cols + c]! - m
      }
    }
  }
  return out
}
