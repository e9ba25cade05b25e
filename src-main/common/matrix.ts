/**
 * A dense row-major matrix: row i is item i. Hot paths use flat typed arrays with an explicit
 * shape rather than number[][] (see STYLE.md).
 */
export interface Mat {
  data: Float32Array | Float64Array
  rows: number
  cols: number
}

/** Per-layer features of N items: `[N, L, D]` row-major, as in the official PRH code. */
export interface Tensor3 {
  data: Float32Array | Float64Array
  n: number
  layers: number
  dim: number
}

export function mat(rows: number, cols: number, data?: Float32Array | Float64Array): Mat {
  const d = data ?? new Float64Array(rows * cols)
  if (d.length !== rows * cols) throw new Error(`mat: data length ${d.length} != ${rows}x${cols}`)
  return { data: d, rows, cols }
}

/** Layer `l` of a `[N, L, D]` tensor as an `[N, D]` matrix (a copy). */
export function layerOf(t: Tensor3, l: number): Mat {
  const out = new (t.data instanceof Float32Array ? Float32Array : Float64Array)(t.n * t.dim)
  for (let i = 0; i < t.n; i++) {
    const src = (i * t.layers + l) * t.dim
    out.set(t.data.subarray(src, src + t.dim), i * t.dim)
  }
  return { data: out, rows: t.n, cols: t.dim }
}
