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
  checkShape(F, where)
  const { data, rows, cols } = F
  for (let i = 0; i < rows; i++) {
    let s = 0
    const o = i * cols
    for (let c = 0; c < cols; c++) s += data[o + c]! * data[o + c]!
    // `!(s <= MAX)` is also true for NaN, so one test catches NaN, infinities and overflow.
    if (!(s <= MAX_NORM2)) {
      throw badInput(where, Number.isFinite(s) ? `row ${i} has norm ${Math.sqrt(s).toExponential(2)}, too large for float32 kernels` : `row ${i} contains NaN or infinite values`)
    }
  }
  return data instanceof Float32Array ? data : Float32Array.from(data)
}

/** Column means in float64. */
export function columnMeans(F: Mat): Float64Array {
  const { data, rows, cols } = F
  const mean = new Float64Array(cols)
  for (let i = 0; i < rows; i++) {
    const o = i * cols
    for (let c = 0; c < cols; c++) mean[c] += data[o + c]!
  }
  for (let c = 0; c < cols; c++) mean[c] /= rows
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
 * Column-centred F cut into column blocks of at most `width` columns, each block stored as its own
 * contiguous [rows, w] float32 array, so that X_P^T X_Q for blocks P, Q is one GEMM on contiguous inputs.
 */
export function centredColumnBlocks(F: Mat, width: number, where = 'features'): Array<{ data: Float32Array; cols: number }> {
  featuresF32(F, where)
  const { data, rows, cols } = F
  const mean = columnMeans(F)
  const blocks: Array<{ data: Float32Array; cols: number }> = []
  for (let c0 = 0; c0 < cols; c0 += width) {
    const w = Math.min(width, cols - c0)
    const out = new Float32Array(rows * w)
    for (let i = 0; i < rows; i++) {
      const src = i * cols + c0
      const dst = i * w
      for (let c = 0; c < w; c++) out[dst + c] = data[src + c]! - mean[c0 + c]!
    }
    blocks.push({ data: out, cols: w })
  }
  return blocks
}
