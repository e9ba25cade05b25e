import { describe, expect, it } from 'vitest'
import { ColourQuantiser, colourCooccurrence, type RasterImage } from '../../../src-main/core/colour/cooccurrence'
import { pmiKernel, pmiToDistances, subMatrix } from '../../../src-main/core/colour/pmi'
import { solidSwatches } from '../../../src-main/core/colour/swatches'
import type { ColourTerm } from '../../../src-main/core/colour/terms'
import { euclideanDistances } from '../../../src-main/core/maps/mds'
import { reference, toMat } from './reference'

const TERMS: ColourTerm[] = [
  { name: 'red', hex: '#ff0000' },
  { name: 'blue', hex: '#0000ff' },
  { name: 'white', hex: '#ffffff' },
  { name: 'black', hex: '#000000' },
]
const R = [255, 0, 0]
const B = [0, 0, 255]
const W = [255, 255, 255]
const K = [0, 0, 0]

function rgbImage(width: number, height: number, pixels: number[][]): RasterImage {
  return { width, height, data: Uint8Array.from(pixels.flat()) }
}

/** O(P²) reference: every ordered pair of distinct pixels within Chebyshev distance r. */
function bruteForce(img: RasterImage, labels: Int32Array, n: number, r: number): Float64Array {
  const c = new Float64Array(n * n)
  const { width: w, height: h } = img
  for (let p = 0; p < w * h; p++) {
    for (let q = 0; q < w * h; q++) {
      if (p === q || labels[p]! < 0 || labels[q]! < 0) continue
      const cheb = Math.max(Math.abs((p % w) - (q % w)), Math.abs(Math.floor(p / w) - Math.floor(q / w)))
      if (cheb <= r) c[labels[p]! * n + labels[q]!]!++
    }
  }
  return c
}

describe('colourCooccurrence', () => {
  it('counts ordered neighbour pairs on a hand-checked 2x2 image', () => {
    // R B
    // W R   — radius 1: all six pixel pairs are neighbours.
    const img = rgbImage(2, 2, [R, B, W, R])
    const { counts, pixelCounts, images } = colourCooccurrence([img], TERMS, { radius: 1 })
    expect(images).toBe(1)
    expect(Array.from(pixelCounts)).toEqual([2, 1, 1, 0])
    const c = (a: number, b: number): number => counts.data[a * 4 + b]!
    expect(c(0, 0)).toBe(2) // the two reds, both orders
    expect(c(0, 1)).toBe(2)
    expect(c(1, 0)).toBe(2)
    expect(c(0, 2)).toBe(2)
    expect(c(1, 2)).toBe(1)
    expect(c(2, 1)).toBe(1)
    expect(c(3, 0) + c(3, 1) + c(3, 2) + c(3, 3)).toBe(0)
    expect(Array.from(counts.data).reduce((s, v) => s + v, 0)).toBe(12) // 6 unordered pairs × 2
  })

  it('matches an O(P²) brute force for radius 1 and 2, and skips transparent pixels', () => {
    let s = 12345
    const rnd = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      return s / 2 ** 32
    }
    const w = 9
    const h = 7
    const palette = [R, B, W, K, [250, 10, 5], [20, 20, 20]]
    const rgba = new Uint8Array(w * h * 4)
    for (let p = 0; p < w * h; p++) {
      const col = palette[Math.floor(rnd() * palette.length)]!
      rgba.set([...col, rnd() < 0.1 ? 0 : 255], p * 4)
    }
    const img: RasterImage = { width: w, height: h, data: rgba, channels: 4 }
    const labels = new ColourQuantiser(TERMS).quantise(img)
    expect(labels.filter((l) => l < 0).length).toBeGreaterThan(0)
    for (const r of [1, 2]) {
      const got = colourCooccurrence([img], TERMS, { radius: r }).counts.data
      expect(Array.from(got)).toEqual(Array.from(bruteForce(img, labels, 4, r)))
    }
  })

  it('quantises to the nearest term in CIELAB, greys included', () => {
    const q = new ColourQuantiser(TERMS)
    expect(q.nearest(250, 10, 5)).toBe(0)
    expect(q.nearest(10, 10, 200)).toBe(1)
    expect(q.nearest(240, 240, 240)).toBe(2)
    expect(q.nearest(30, 30, 30)).toBe(3)
    const grey: RasterImage = { width: 2, height: 1, data: Uint8Array.of(250, 5) }
    expect(Array.from(q.quantise(grey))).toEqual([2, 3])
  })

  it('rejects images whose bytes do not match their size, and a bad radius', () => {
    expect(() => colourCooccurrence([{ width: 3, height: 3, data: new Uint8Array(10) }], TERMS)).toThrow(/image 1: 10 bytes/)
    expect(() => colourCooccurrence([], TERMS, { radius: 0 })).toThrow(/radius/)
  })
})

describe('pmiKernel and pmiToDistances', () => {
  it('matches numpy PMI with add-one smoothing (zero counts stay finite)', () => {
    const k = pmiKernel(toMat(reference.pmi.counts), { alpha: reference.pmi.alpha })
    reference.pmi.pmi.flat().forEach((v, i) => expect(Math.abs(k.data[i]! - v)).toBeLessThan(1e-12))
    const ppmi = pmiKernel(toMat(reference.pmi.counts), { positive: true })
    expect(Math.min(...ppmi.data)).toBe(0)
  })

  it('independent colours have PMI ≈ 0', () => {
    // counts = N · p pᵀ exactly: no association.
    const p = [0.5, 0.3, 0.2]
    const c = toMat(p.map((a) => p.map((b) => 1e6 * a * b)))
    const k = pmiKernel(c, { alpha: 1e-9 })
    for (const v of k.data) expect(Math.abs(v)).toBeLessThan(1e-9)
  })

  it('kernel distances of a Gram matrix are the points’ Euclidean distances, and ignore a constant shift', () => {
    const x = toMat([
      [0, 1],
      [2, 0],
      [1, 1],
      [-1, 3],
    ])
    const g = new Float64Array(16)
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) g[i * 4 + j] = x.data[i * 2]! * x.data[j * 2]! + x.data[i * 2 + 1]! * x.data[j * 2 + 1]! + 7
    const d = pmiToDistances({ data: g, rows: 4, cols: 4 }, 'kernel')
    const e = euclideanDistances(x)
    for (let i = 0; i < 16; i++) expect(d.data[i]).toBeCloseTo(e.data[i]!, 12)
  })

  it('shift distances are max off-diagonal similarity minus similarity', () => {
    const k = toMat([
      [9, 1, 3],
      [1, 9, 2],
      [3, 2, 9],
    ])
    const d = pmiToDistances(k, 'shift')
    expect(Array.from(d.data)).toEqual([0, 2, 0, 2, 0, 1, 0, 1, 0])
    expect(Array.from(subMatrix(k, [2, 0]).data)).toEqual([9, 3, 3, 9])
    expect(() => pmiToDistances(k, 'bogus' as 'kernel')).toThrow(/unknown method/)
  })
})

describe('solidSwatches', () => {
  it('makes one uniform RGB image per term', () => {
    const sw = solidSwatches(TERMS, 4)
    expect(sw).toHaveLength(4)
    expect(sw[1]!.width).toBe(4)
    expect(Array.from(sw[1]!.data.subarray(0, 6))).toEqual([0, 0, 255, 0, 0, 255])
    expect(new Set(sw[0]!.data).size).toBe(2) // 255 and 0 only
    expect(() => solidSwatches(TERMS, 0)).toThrow(/swatch size/)
  })
})
