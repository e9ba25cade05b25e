import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import { hexToRgb, srgbToLab, type Triple } from './cielab'
import type { ColourTerm } from './terms'

/**
 * An 8-bit raster. `channels` may be left out: it is then data.length / (width·height), one of
 * 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA). Pixels with alpha < 128 are skipped.
 */
export interface RasterImage {
  width: number
  height: number
  data: Uint8Array | Uint8ClampedArray
  channels?: 1 | 2 | 3 | 4
}

/**
 * Maps 8-bit sRGB colours to the index of the nearest colour term in CIELAB (smallest ΔE*ab, ties to
 * the lower index). Results are cached per distinct RGB value: natural images repeat colours a lot.
 */
export class ColourQuantiser {
  private readonly labs: Float64Array
  private readonly cache = new Map<number, number>()

  constructor(readonly terms: readonly ColourTerm[]) {
    this.labs = new Float64Array(terms.length * 3)
    terms.forEach((t, i) => this.labs.set(srgbToLab(...hexToRgb(t.hex)), i * 3))
  }

  /** Index of the nearest term to the 8-bit sRGB colour (r, g, b). */
  nearest(r: number, g: number, b: number): number {
    const key = (r << 16) | (g << 8) | b
    const hit = this.cache.get(key)
    if (hit !== undefined) return hit
    const lab: Triple = srgbToLab(r, g, b)
    let best = 0
    let bestD = Infinity
    for (let t = 0; t < this.terms.length; t++) {
      const dl = lab[0] - this.labs[t * 3]!
      const da = lab[1] - this.labs[t * 3 + 1]!
      const db = lab[2] - this.labs[t * 3 + 2]!
      const d = dl * dl + da * da + db * db
      if (d < bestD) {
        bestD = d
        best = t
      }
    }
    this.cache.set(key, best)
    return best
  }

  /** Per-pixel term indices of an image (−1 for transparent pixels). */
  quantise(img: RasterImage, where = 'image'): Int32Array {
    const ch = channelsOf(img, where)
    const n = img.width * img.height
    const out = new Int32Array(n)
    const d = img.data
    for (let p = 0; p < n; p++) {
      const o = p * ch
      if ((ch === 2 && d[o + 1]! < 128) || (ch === 4 && d[o + 3]! < 128)) {
        out[p] = -1
        continue
      }
      out[p] = ch <= 2 ? this.nearest(d[o]!, d[o]!, d[o]!) : this.nearest(d[o]!, d[o + 1]!, d[o + 2]!)
    }
    return out
  }
}

function channelsOf(img: RasterImage, where: string): number {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw badInput(where, `invalid size ${img.width}x${img.height}`)
  }
  const n = img.width * img.height
  const ch = img.channels ?? img.data.length / n
  if (![1, 2, 3, 4].includes(ch) || img.data.length !== n * ch) {
    throw badInput(where, `${img.data.length} bytes do not fit ${img.width}x${img.height} pixels with 1-4 channels`)
  }
  return ch
}

export interface CooccurrenceOptions {
  /** Neighbourhood half-width in pixels: pairs within a (2r+1) × (2r+1) square window (Chebyshev distance ≤ r). Default 1. */
  radius?: number
}

export interface Cooccurrence {
  /** n × n symmetric counts (see colourCooccurrence). */
  counts: Mat
  /** Pixels assigned to each term, over all images. */
  pixelCounts: Float64Array
  /** Images read. */
  images: number
}

/**
 * Colour co-occurrence of the colour terms within a small pixel neighbourhood, over a set of images.
 * Each opaque pixel is quantised to its nearest term in CIELAB; then counts_ab = number of ORDERED pairs
 * of distinct pixels (p, q) with Chebyshev distance ‖p − q‖_∞ ≤ radius, p of term a and q of term b.
 * Ordered pairs make the matrix symmetric, with each unordered pair of differently coloured pixels adding 1
 * to both counts_ab and counts_ba and each same-coloured pair adding 2 to counts_aa.
 * This is the image-side statistic of the PRH paper's colour experiment (Huh et al. 2024, §5: colour
 * co-occurrence in images → PMI kernel; there pixels nearby in CIFAR-10 images).
 */
export function colourCooccurrence(
  images: Iterable<RasterImage>,
  terms: readonly ColourTerm[],
  opts: CooccurrenceOptions = {},
): Cooccurrence {
  const radius = opts.radius ?? 1
  if (!Number.isInteger(radius) || radius < 1 || radius > 32) throw badInput('radius', `must be an integer from 1 to 32, got ${radius}`)
  const n = terms.length
  const quantiser = new ColourQuantiser(terms)
  const counts = new Float64Array(n * n)
  const pixelCounts = new Float64Array(n)
  // Half of the window's offsets, so that each unordered pixel pair is visited once.
  const offsets: [number, number][] = []
  for (let dy = 0; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) if (dy > 0 || dx > 0) offsets.push([dx, dy])
  }
  let images_ = 0
  for (const img of images) {
    const labels = quantiser.quantise(img, `image ${images_ + 1}`)
    images_++
    const { width: w, height: h } = img
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const a = labels[y * w + x]!
        if (a < 0) continue
        pixelCounts[a]!++
        for (const [dx, dy] of offsets) {
          const xx = x + dx
          const yy = y + dy
          if (xx < 0 || xx >= w || yy >= h) continue
          const b = labels[yy * w + xx]!
          if (b < 0) continue
          counts[a * n + b]!++
          counts[b * n + a]!++
        }
      }
    }
  }
  return { counts: { data: counts, rows: n, cols: n }, pixelCounts, images: images_ }
}
