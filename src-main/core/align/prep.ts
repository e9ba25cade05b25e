import { itemWidth, layerDim, layerOffset, type Mat, type Tensor3 } from '../../common/matrix'

/**
 * Feature preparation before any metric, following `prepare_features` / `remove_outliers` in the
 * official PRH code (minyoungg/platonic-rep, measure_alignment.py and metrics.py) and the paper's
 * protocol: optional outlier clamp over the whole [N, L, D] input, then each layer's rows
 * L2-normalised (`F.normalize(x, p=2, dim=-1)`, eps 1e-12: x / max(||x||, 1e-12), so a zero row
 * stays zero).
 */
import type { Prep } from '../../common/contract/align'

export { PREPS, type Prep } from '../../common/contract/align'

export const L2_EPS = 1e-12

/** Prepared layers (float64, [N, D] each) and, when asked for, the all-layers concatenation. */
export interface PreparedSet {
  n: number
  layers: Mat[]
  /** N x (L·D): clamped (not yet normalised) layers side by side, then rows L2-normalised as a whole. */
  concat: Mat | null
  /** The clamp threshold t that was applied, or null when none was. */
  threshold: number | null
}

/**
 * Clamp threshold t for `clamp-exact` / `clamp-approx`, or null for no clamp (other preps, q = 1).
 * - exact: t = v[⌊q·numel⌋] with v the ascending sorted |x| over the whole input (all layers):
 *   `feats.view(-1).abs().sort().values[int(q * feats.numel())]`.
 * - approx: per item, the linearly interpolated q-quantile of |x| over that item's L·D values
 *   (`torch.quantile(feats.abs().flatten(start_dim=1), q, dim=1)`), averaged over items.
 */
export function clampThreshold(x: Tensor3, prep: Prep, q: number): number | null {
  if (prep !== 'clamp-exact' && prep !== 'clamp-approx') return null
  if (q === 1) return null
  const numel = x.n * itemWidth(x)
  if (prep === 'clamp-exact') {
    // |x| of float32 input is exactly a float32, so the selection is exact at half the memory.
    const abs = x.data instanceof Float32Array ? new Float32Array(numel) : new Float64Array(numel)
    for (let i = 0; i < numel; i++) abs[i] = Math.abs(x.data[i]!)
    const idx = Math.min(Math.floor(q * numel), numel - 1)
    return selectKth(abs, idx)
  }
  const per = itemWidth(x)
  const buf = new Float64Array(per)
  let sum = 0
  for (let i = 0; i < x.n; i++) {
    for (let c = 0; c < per; c++) buf[c] = Math.abs(x.data[i * per + c]!)
    sum += linearQuantile(buf, q)
  }
  return sum / x.n
}

/**
 * Linearly interpolated q-quantile (numpy/torch 'linear'): pos = q·(m−1),
 * v[⌊pos⌋] + (v[⌊pos⌋+1] − v[⌊pos⌋])·(pos − ⌊pos⌋) over the ascending sorted values. Reorders `values`.
 */
export function linearQuantile(values: Float64Array, q: number): number {
  const m = values.length
  const pos = q * (m - 1)
  const lo = Math.floor(pos)
  const vLo = selectKth(values, lo)
  if (lo + 1 >= m || pos === lo) return vLo
  // After selection everything right of lo is >= v[lo]; the next order statistic is their minimum.
  let vHi = Infinity
  for (let i = lo + 1; i < m; i++) if (values[i]! < vHi) vHi = values[i]!
  return vLo + (vHi - vLo) * (pos - lo)
}

/**
 * The k-th smallest value (0-based) by quickselect (Hoare partition, median-of-three pivot);
 * reorders `a` so that a[k] holds it, smaller-or-equal values left and greater-or-equal right.
 */
export function selectKth(a: Float32Array | Float64Array, k: number): number {
  let lo = 0
  let hi = a.length - 1
  while (hi > lo) {
    const mid = (lo + hi) >>> 1
    // median of three to avoid quadratic behaviour on sorted input
    if (a[mid]! < a[lo]!) swap(a, mid, lo)
    if (a[hi]! < a[lo]!) swap(a, hi, lo)
    if (a[hi]! < a[mid]!) swap(a, hi, mid)
    const pivot = a[mid]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        swap(a, i, j)
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]!
  }
  return a[k]!
}

function swap(a: Float32Array | Float64Array, i: number, j: number): void {
  const t = a[i]!
  a[i] = a[j]!
  a[j] = t
}

/** Rows divided by max(||row||, 1e-12), in place. */
export function l2NormalizeRows(m: Mat): Mat {
  const { rows, cols, data } = m
  for (let i = 0; i < rows; i++) {
    const o = i * cols
    let s = 0
    for (let c = 0; c < cols; c++) s += data[o + c]! * data[o + c]!
    // Divide (not multiply by the reciprocal), as F.normalize does.
    const norm = Math.max(Math.sqrt(s), L2_EPS)
    for (let c = 0; c < cols; c++) data[o + c] = data[o + c]! / norm
  }
  return m
}

/** Largest |x| over the values (0 for an all-zero input). */
export function maxAbs(data: Float32Array | Float64Array): number {
  let m = 0
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!)
    if (a > m) m = a
  }
  return m
}

/**
 * Two powers of two whose product 2^−e brings max|x| into [1, 2) (1 and 1 for an all-zero input).
 * Multiplying by a power of two is exact unless a value underflows, so scale-invariant work gives
 * the same numbers on data at any scale: float64 features beyond float32's range, subnormal float32
 * features. Two factors because 2^−e alone overflows for subnormal float64 maxima (e up to 1074).
 */
export function unitScale(maxAbsValue: number): [number, number] {
  if (!(maxAbsValue > 0) || !Number.isFinite(maxAbsValue)) return [1, 1]
  let e = Math.floor(Math.log2(maxAbsValue))
  // log2 may round across a power of two; settle e so that 2^e <= max < 2^(e+1).
  if (2 ** e > maxAbsValue) e--
  else if (2 ** (e + 1) <= maxAbsValue) e++
  const half = Math.trunc(-e / 2)
  return [2 ** half, 2 ** (-e - half)]
}

/**
 * Applies the preparation to a [N, L, D] input; `withConcat` also builds the -1 candidate.
 * With `unitScaled` (the default for every preparation that L2-normalises, which makes the result
 * independent of the input's scale) the input is first multiplied by the power of two of
 * `unitScale`, so that neither the sums of squares overflow (|x| near float64's maximum) nor the
 * norms fall below the 1e−12 of F.normalize (subnormal inputs), which would otherwise turn every
 * row into zeros or near-zeros. The prepared values are bit-identical to the unscaled computation's
 * except for nonzero rows whose norm is below about 1e−12 times the largest |x| (whose unscaled
 * result depends on the units the features happen to be in).
 */
export function prepare(x: Tensor3, prep: Prep, q: number, withConcat: boolean, unitScaled = prep !== 'none'): PreparedSet {
  const t = clampThreshold(x, prep, q)
  const width = itemWidth(x)
  const numel = x.n * width
  const [s1, s2] = unitScaled ? unitScale(maxAbs(x.data)) : [1, 1]
  const ts = t === null ? null : t * s1 * s2
  const clampValue = (v: number): number => {
    const w = v * s1 * s2
    return ts === null ? w : Math.min(ts, Math.max(-ts, w))
  }
  // The whole clamped copy is only needed for the concatenation candidate; without it each layer is
  // clamped as it is copied out, which saves one float64 copy of [N, L, D] at the peak.
  let clamped: Float64Array | null = null
  if (withConcat) {
    clamped = new Float64Array(numel)
    for (let i = 0; i < numel; i++) clamped[i] = clampValue(x.data[i]!)
  }
  const normalise = prep !== 'none'
  const layers: Mat[] = []
  for (let l = 0; l < x.layers; l++) {
    // Layers may differ in width (a CNN's stages); each is its own [N, D_l] matrix.
    const D = layerDim(x, l)
    const off = layerOffset(x, l)
    const out = new Float64Array(x.n * D)
    for (let i = 0; i < x.n; i++) {
      const src = i * width + off
      for (let c = 0; c < D; c++) out[i * D + c] = clamped ? clamped[src + c]! : clampValue(x.data[src + c]!)
    }
    const m: Mat = { data: out, rows: x.n, cols: D }
    layers.push(normalise ? l2NormalizeRows(m) : m)
  }
  let concat: Mat | null = null
  if (withConcat && clamped) {
    // Row i of [N, L, D] is already the concatenation of item i's layers.
    const m: Mat = { data: clamped, rows: x.n, cols: width }
    concat = normalise ? l2NormalizeRows(m) : m
  }
  return { n: x.n, layers, concat, threshold: t }
}

/** Treats a 2-D [N, D] input as one layer. */
export function asTensor3(x: Mat | Tensor3): Tensor3 {
  return 'rows' in x ? { data: x.data, n: x.rows, layers: 1, dim: x.cols } : x
}
