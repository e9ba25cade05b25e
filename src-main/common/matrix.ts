/**
 * A dense row-major matrix: row i is item i. Hot paths use flat typed arrays with an explicit
 * shape rather than number[][] (see STYLE.md).
 */
export interface Mat {
  data: Float32Array | Float64Array
  rows: number
  cols: number
}

/**
 * Per-layer features of N items: `[N, L, D]` row-major, as in the official PRH code. Layers of
 * different widths (a CNN's stages) set `dims`, the width of each layer: item i's row then holds its
 * layers one after another, layer l at `layerOffset(t, l)` with `layerDim(t, l)` values (for equal
 * widths this is exactly the `[N, L, D]` layout), and `dim` is the largest width. Code that indexes
 * `(i * L + l) * dim` must go through these helpers instead.
 */
export interface Tensor3 {
  data: Float32Array | Float64Array
  n: number
  layers: number
  dim: number
  dims?: number[]
}

/** Width of layer `l`. */
export function layerDim(t: Tensor3, l: number): number {
  return t.dims ? t.dims[l]! : t.dim
}

/** Values per item: the sum of the layer widths. */
export function itemWidth(t: Tensor3): number {
  return t.dims ? t.dims.reduce((a, d) => a + d, 0) : t.layers * t.dim
}

/** Where layer `l` starts inside an item's row. */
export function layerOffset(t: Tensor3, l: number): number {
  if (!t.dims) return l * t.dim
  let o = 0
  for (let k = 0; k < l; k++) o += t.dims[k]!
  return o
}

/** Per-layer widths as stored: `dims` when they differ, else absent (one `dim`). */
export function raggedDims(dims: number[]): number[] | undefined {
  return dims.every((d) => d === dims[0]) ? undefined : dims
}

export function mat(rows: number, cols: number, data?: Float32Array | Float64Array): Mat {
  const d = data ?? new Float64Array(rows * cols)
  if (d.length !== rows * cols) throw new Error(`mat: data length ${d.length} != ${rows}x${cols}`)
  return { data: d, rows, cols }
}

/** Layer `l` of a `[N, L, D]` tensor as an `[N, D]` matrix (a copy). */
export function layerOf(t: Tensor3, l: number): Mat {
  const D = layerDim(t, l)
  const width = itemWidth(t)
  const off = layerOffset(t, l)
  const out = new (t.data instanceof Float32Array ? Float32Array : Float64Array)(t.n * D)
  for (let i = 0; i < t.n; i++) {
    const src = i * width + off
    out.set(t.data.subarray(src, src + D), i * D)
  }
  return { data: out, rows: t.n, cols: D }
}
