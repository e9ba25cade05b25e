import type { RgbImage } from './image'

/**
 * PIL resample filter ids as stored in `preprocessor_config.json` (`resample`):
 * 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming.
 */
export type PilResample = 0 | 1 | 2 | 3 | 4 | 5

interface Filter {
  support: number
  f(x: number): number
}

const bilinear: Filter = { support: 1, f: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) }
const box: Filter = { support: 0.5, f: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) }
const hamming: Filter = {
  support: 1,
  f: (x) => {
    x = Math.abs(x)
    if (x === 0) return 1
    if (x >= 1) return 0
    x *= Math.PI
    return (Math.sin(x) / x) * (0.54 + 0.46 * Math.cos(x))
  },
}
// Keys' cubic convolution with a = -0.5, as in PIL's Resample.c.
const bicubic: Filter = {
  support: 2,
  f: (x) => {
    const a = -0.5
    x = Math.abs(x)
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a
    return 0
  },
}
const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x))
const lanczos: Filter = { support: 3, f: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) }

const FILTERS: Record<number, Filter> = { 1: lanczos, 2: bilinear, 3: bicubic, 4: box, 5: hamming }

// PIL's 8-bit path turns the weights into fixed point with this many fraction bits (Resample.c).
const PRECISION_BITS = 32 - 8 - 2

/**
 * Per-output-pixel weights of one axis, exactly as PIL's `precompute_coeffs` + `normalize_coeffs_8bpc`:
 * scale = in/out, support = filter.support * max(scale, 1) (the filter widens when downscaling, which is
 * PIL's antialiasing), centre = (i + 0.5) * scale, taps from int(centre - support + 0.5) to
 * int(centre + support + 0.5), weight filter((x - centre + 0.5) / max(scale, 1)), normalised to sum 1, then
 * rounded to integers with PRECISION_BITS fraction bits (round half away from zero).
 * Source: Pillow src/libImaging/Resample.c.
 */
function coefficients(inSize: number, outSize: number, filter: Filter): { bounds: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize
  const filterscale = Math.max(scale, 1)
  const support = filter.support * filterscale
  const ksize = Math.ceil(support) * 2 + 1
  const bounds = new Int32Array(outSize * 2)
  const weights = new Int32Array(outSize * ksize)
  const pre = new Float64Array(ksize)
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    const ss = 1 / filterscale
    let xmin = Math.trunc(center - support + 0.5)
    if (xmin < 0) xmin = 0
    let xmax = Math.trunc(center + support + 0.5)
    if (xmax > inSize) xmax = inSize
    xmax -= xmin
    let ww = 0
    for (let x = 0; x < xmax; x++) {
      const w = filter.f((x + xmin - center + 0.5) * ss)
      pre[x] = w
      ww += w
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? pre[x]! / ww : pre[x]!
      weights[xx * ksize + x] = Math.trunc(w * (1 << PRECISION_BITS) + (w < 0 ? -0.5 : 0.5))
    }
    bounds[xx * 2] = xmin
    bounds[xx * 2 + 1] = xmax
  }
  return { bounds, weights, ksize }
}

function clip8(v: number): number {
  const s = v >> PRECISION_BITS
  return s < 0 ? 0 : s > 255 ? 255 : s
}

// Math.imul-free fixed point: weights < 2^23 and pixels < 2^8, sums of a few hundred terms stay well
// inside float64's exact integer range, so plain arithmetic then an arithmetic shift is exact.
function resampleHorizontal(src: RgbImage, outW: number, filter: Filter): RgbImage {
  const { bounds, weights, ksize } = coefficients(src.width, outW, filter)
  const out = new Uint8Array(outW * src.height * 3)
  const half = 1 << (PRECISION_BITS - 1)
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * 3
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2]!
      const xmax = bounds[xx * 2 + 1]!
      let s0 = half
      let s1 = half
      let s2 = half
      for (let x = 0; x < xmax; x++) {
        const k = weights[xx * ksize + x]!
        const p = row + (x + xmin) * 3
        s0 += src.data[p]! * k
        s1 += src.data[p + 1]! * k
        s2 += src.data[p + 2]! * k
      }
      const o = (y * outW + xx) * 3
      out[o] = clip8(s0)
      out[o + 1] = clip8(s1)
      out[o + 2] = clip8(s2)
    }
  }
  return { data: out, width: outW, height: src.height }
}

function resampleVertical(src: RgbImage, outH: number, filter: Filter): RgbImage {
  const { bounds, weights, ksize } = coefficients(src.height, outH, filter)
  const w = src.width
  const out = new Uint8Array(w * outH * 3)
  const half = 1 << (PRECISION_BITS - 1)
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2]!
    const ymax = bounds[yy * 2 + 1]!
    for (let x = 0; x < w; x++) {
      let s0 = half
      let s1 = half
      let s2 = half
      for (let y = 0; y < ymax; y++) {
        const k = weights[yy * ksize + y]!
        const p = ((y + ymin) * w + x) * 3
        s0 += src.data[p]! * k
        s1 += src.data[p + 1]! * k
        s2 += src.data[p + 2]! * k
      }
      const o = (yy * w + x) * 3
      out[o] = clip8(s0)
      out[o + 1] = clip8(s1)
      out[o + 2] = clip8(s2)
    }
  }
  return { data: out, width: w, height: outH }
}

/** PIL NEAREST: source index int((i + 0.5) * in / out), as Pillow's ImagingTransform affine nearest. */
function resizeNearest(src: RgbImage, outW: number, outH: number): RgbImage {
  const out = new Uint8Array(outW * outH * 3)
  const sx = src.width / outW
  const sy = src.height / outH
  for (let y = 0; y < outH; y++) {
    const yi = Math.min(src.height - 1, Math.floor((y + 0.5) * sy))
    for (let x = 0; x < outW; x++) {
      const xi = Math.min(src.width - 1, Math.floor((x + 0.5) * sx))
      const p = (yi * src.width + xi) * 3
      const o = (y * outW + x) * 3
      out[o] = src.data[p]!
      out[o + 1] = src.data[p + 1]!
      out[o + 2] = src.data[p + 2]!
    }
  }
  return { data: out, width: outW, height: outH }
}

/**
 * Resizes an 8-bit RGB image exactly like Pillow's `Image.resize((w, h), resample)`: a separable
 * convolution, horizontal pass first then vertical, each pass rounding to 8 bits, and an axis whose size
 * does not change is left untouched. Source: Pillow src/libImaging/Resample.c (ImagingResample).
 */
export function pilResize(src: RgbImage, outW: number, outH: number, resample: PilResample): RgbImage {
  if (!(outW > 0 && outH > 0)) throw new RangeError(`pilResize: bad output size ${outW}x${outH}`)
  if (resample === 0) return outW === src.width && outH === src.height ? src : resizeNearest(src, outW, outH)
  const filter = FILTERS[resample]
  if (!filter) throw new RangeError(`pilResize: unknown resample filter ${resample}`)
  let img = src
  if (outW !== img.width) img = resampleHorizontal(img, outW, filter)
  if (outH !== img.height) img = resampleVertical(img, outH, filter)
  return img
}
