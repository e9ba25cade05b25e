import type { Mat } from '../../../../src-main/common/matrix'
import { mulberry32 } from '../../../../src-main/common/random'

/** Independent float64 implementations used as oracles by the kernel tests. */

/** Seeded PRNG (the app's mulberry32: these tests use it for data, not as an oracle), so failures reproduce. */
export const rng = mulberry32

/** Standard normal matrix via Box-Muller. */
export function gaussian(rows: number, cols: number, seed: number, f32 = true): Mat {
  const r = rng(seed)
  const data = f32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols)
  for (let t = 0; t < data.length; t++) data[t] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  return { data, rows, cols }
}

/** Small integers in [-lo, lo]: every inner product is exact in float32, and ties are common. */
export function smallInts(rows: number, cols: number, lo: number, seed: number): Mat {
  const r = rng(seed)
  const data = new Float32Array(rows * cols)
  for (let t = 0; t < data.length; t++) data[t] = Math.floor(r() * (2 * lo + 1)) - lo
  return { data, rows, cols }
}

export function dot(F: Mat, i: number, j: number): number {
  let s = 0
  for (let c = 0; c < F.cols; c++) s += F.data[i * F.cols + c]! * F.data[j * F.cols + c]!
  return s
}

export function refGram(F: Mat): Float64Array {
  const n = F.rows
  const K = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = dot(F, i, j)
  return K
}

/** Stable descending argsort of each row's scores, self excluded, first k. */
export function refKnn(F: Mat, k: number): Int32Array {
  const n = F.rows
  const out = new Int32Array(n * k)
  for (let i = 0; i < n; i++) {
    const js = [...Array(n).keys()].filter((j) => j !== i)
    const s = js.map((j) => dot(F, i, j))
    const order = js.map((_, t) => t).sort((x, y) => s[y]! - s[x]! || js[x]! - js[y]!)
    for (let t = 0; t < k; t++) out[i * k + t] = js[order[t]!]!
  }
  return out
}

function centred(M: Mat): number[][] {
  const cols: number[][] = []
  for (let c = 0; c < M.cols; c++) {
    const col: number[] = []
    for (let i = 0; i < M.rows; i++) col.push(M.data[i * M.cols + c]!)
    const mean = col.reduce((a, b) => a + b, 0) / col.length
    cols.push(col.map((x) => x - mean))
  }
  return cols
}

/** ||X^T Y||_F^2 with X, Y column-centred, straight from the definition. */
export function refHsic(A: Mat, B: Mat): { ab: number; aa: number; bb: number } {
  const a = centred(A)
  const b = centred(B)
  const frob2 = (X: number[][], Y: number[][]): number => {
    let s = 0
    for (const x of X) for (const y of Y) {
      let d = 0
      for (let i = 0; i < x.length; i++) d += x[i]! * y[i]!
      s += d * d
    }
    return s
  }
  return { ab: frob2(a, b), aa: frob2(a, a), bb: frob2(b, b) }
}
