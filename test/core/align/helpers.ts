import type { Mat } from '../../../src-main/common/matrix'
import { mulberry32 } from '../../../src-main/common/random'

/** Seeded standard normal matrix (Box–Muller over mulberry32). */
export function gaussian(rows: number, cols: number, seed: number): Mat {
  const rng = mulberry32(seed)
  const data = new Float64Array(rows * cols)
  for (let t = 0; t < data.length; t++) {
    const u = 1 - rng()
    const v = rng()
    data[t] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
  return { data, rows, cols }
}

/** A random orthonormal d x d matrix (Gram–Schmidt of a Gaussian matrix). */
export function randomRotation(d: number, seed: number): Mat {
  const g = gaussian(d, d, seed).data
  const q = new Float64Array(d * d)
  for (let c = 0; c < d; c++) {
    const v = new Float64Array(d)
    for (let r = 0; r < d; r++) v[r] = g[r * d + c]!
    for (let p = 0; p < c; p++) {
      let dot = 0
      for (let r = 0; r < d; r++) dot += v[r]! * q[r * d + p]!
      for (let r = 0; r < d; r++) v[r] = v[r]! - dot * q[r * d + p]!
    }
    let norm = 0
    for (let r = 0; r < d; r++) norm += v[r]! * v[r]!
    norm = Math.sqrt(norm)
    for (let r = 0; r < d; r++) q[r * d + c] = v[r]! / norm
  }
  return { data: q, rows: d, cols: d }
}

export function matmul(a: Mat, b: Mat): Mat {
  const out = new Float64Array(a.rows * b.cols)
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) for (let j = 0; j < b.cols; j++) out[i * b.cols + j]! += a.data[i * a.cols + k]! * b.data[k * b.cols + j]!
  return { data: out, rows: a.rows, cols: b.cols }
}

export function scale(a: Mat, s: number): Mat {
  return { data: a.data.map((x) => x * s), rows: a.rows, cols: a.cols }
}

export function l2rows(a: Mat): Mat {
  const out = Float64Array.from(a.data)
  for (let i = 0; i < a.rows; i++) {
    let s = 0
    for (let c = 0; c < a.cols; c++) s += out[i * a.cols + c]! ** 2
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12)
    for (let c = 0; c < a.cols; c++) out[i * a.cols + c] = out[i * a.cols + c]! * inv
  }
  return { data: out, rows: a.rows, cols: a.cols }
}
