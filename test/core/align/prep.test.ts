import { describe, expect, it } from 'vitest'
import { clampThreshold, l2NormalizeRows, linearQuantile, prepare, selectKth } from '../../../src-main/core/align/prep'
import { mulberry32 } from '../../../src-main/common/random'

const rand = (n: number, seed: number) => {
  const r = mulberry32(seed)
  return Float64Array.from({ length: n }, () => (r() - 0.5) * 10)
}

describe('prep', () => {
  it('selectKth agrees with a full sort, including many ties', () => {
    for (const seed of [1, 2, 3]) {
      const a = rand(501, seed).map((x) => (seed === 3 ? Math.round(x) : x))
      const sorted = Float64Array.from(a).sort()
      for (const k of [0, 1, 250, 499, 500]) expect(selectKth(Float64Array.from(a), k)).toBe(sorted[k])
    }
  })

  it('linearQuantile matches numpy "linear" interpolation', () => {
    // np.quantile([3, 1, 4, 1, 5], 0.95) = 4.8 ; np.quantile([1, 2], 0.3) = 1.3
    expect(linearQuantile(Float64Array.from([3, 1, 4, 1, 5]), 0.95)).toBeCloseTo(4.8, 12)
    expect(linearQuantile(Float64Array.from([1, 2]), 0.3)).toBeCloseTo(1.3, 12)
    expect(linearQuantile(Float64Array.from([7]), 0.5)).toBe(7)
  })

  it('clamp-exact threshold is sorted |x| at floor(q·numel) over all layers; clamp-approx averages per-item quantiles', () => {
    const x = { data: rand(4 * 3 * 5, 9), n: 4, layers: 3, dim: 5 }
    const abs = Float64Array.from(x.data, Math.abs).sort()
    expect(clampThreshold(x, 'clamp-exact', 0.9)).toBe(abs[Math.floor(0.9 * 60)])
    let sum = 0
    for (let i = 0; i < 4; i++) {
      const v = Float64Array.from(x.data.subarray(i * 15, (i + 1) * 15), Math.abs).sort()
      const pos = 0.9 * 14
      sum += v[Math.floor(pos)]! + (v[Math.floor(pos) + 1]! - v[Math.floor(pos)]!) * (pos - Math.floor(pos))
    }
    expect(clampThreshold(x, 'clamp-approx', 0.9)).toBeCloseTo(sum / 4, 12)
    expect(clampThreshold(x, 'clamp-exact', 1)).toBeNull()
    expect(clampThreshold(x, 'l2', 0.9)).toBeNull()
  })

  it('L2 normalises each layer slice; the concatenation is built from clamped, unnormalised layers', () => {
    const x = { data: rand(3 * 2 * 4, 4), n: 3, layers: 2, dim: 4 }
    const p = prepare(x, 'clamp-exact', 0.8, true)
    const t = p.threshold!
    const clamped = x.data.map((v) => Math.min(t, Math.max(-t, v)))
    for (const layer of p.layers) for (let i = 0; i < 3; i++) expect(Math.hypot(...layer.data.subarray(i * 4, i * 4 + 4))).toBeCloseTo(1, 12)
    // layer 1 of item 2 = clamped slice / its own norm
    const slice = clamped.subarray((2 * 2 + 1) * 4, (2 * 2 + 2) * 4)
    const norm = Math.hypot(...slice)
    expect(Array.from(p.layers[1]!.data.subarray(8, 12))).toEqual(Array.from(slice, (v) => v / norm))
    // concat row 2 = clamped item 2 (both layers) / norm of the whole row
    const row = clamped.subarray(16, 24)
    const rn = Math.hypot(...row)
    p.concat!.data.subarray(16, 24).forEach((v, c) => expect(v).toBeCloseTo(row[c]! / rn, 14))
    const none = prepare(x, 'none', 0.95, false)
    expect(Array.from(none.layers[0]!.data.subarray(0, 4))).toEqual(Array.from(x.data.subarray(0, 4)))
    expect(none.concat).toBeNull()
  })

  it('layers of different widths (a CNN): each layer is its own [N, D_l] matrix, clamping sees every value once', () => {
    const n = 5
    const dims = [2, 3, 1]
    const data = rand(n * 6, 11)
    const x = { data, n, layers: 3, dim: 3, dims }
    // Independent slicing by explicit offsets: item i's row is [layer0 (2), layer1 (3), layer2 (1)].
    const slice = (i: number, l: number): number[] => Array.from(data.subarray(i * 6 + [0, 2, 5][l]!, i * 6 + [0, 2, 5][l]! + dims[l]!))
    const p = prepare(x, 'none', 1, true)
    p.layers.forEach((m, l) => {
      expect([m.rows, m.cols]).toEqual([n, dims[l]])
      for (let i = 0; i < n; i++) expect(Array.from(m.data.subarray(i * dims[l]!, (i + 1) * dims[l]!))).toEqual(slice(i, l))
    })
    expect(p.concat!.cols).toBe(6)
    const sorted = Array.from(data, Math.abs).sort((a, b) => a - b)
    expect(clampThreshold(x, 'clamp-exact', 0.9)).toBe(sorted[Math.floor(0.9 * 30)])
  })

  it('a zero row stays zero after L2 normalisation (eps 1e-12)', () => {
    const m = l2NormalizeRows({ data: Float64Array.from([0, 0, 3, 4]), rows: 2, cols: 2 })
    expect(Array.from(m.data)).toEqual([0, 0, 0.6, 0.8])
  })
})
