import { describe, expect, it } from 'vitest'
import type { Mat } from '../../../src-main/common/matrix'
import { alignmentDistances, modelMap } from '../../../src-main/core/maps/modelMap'

const sq = (rows: number[][]): Mat => ({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows.length })
const dist2 = (p: { x: number; y: number }, q: { x: number; y: number }): number => Math.hypot(p.x - q.x, p.y - q.y)

describe('alignmentDistances', () => {
  it('is 1 − score, symmetrised by averaging, clipped at 0, zero diagonal', () => {
    const d = alignmentDistances(sq([
      [0.7, 0.2, 1.3],
      [0.4, 1, 0.5],
      [1.1, 0.5, Number.NaN],
    ]))
    // d01 = 1 − (0.2 + 0.4)/2; d02 = max(0, 1 − (1.3 + 1.1)/2); d12 = 1 − 0.5; the diagonal (even NaN) is ignored.
    const want = [0, 0.7, 0, 0.7, 0, 0.5, 0, 0.5, 0]
    want.forEach((v, i) => expect(d.data[i]!).toBeCloseTo(v, 14))
  })
})

describe('modelMap', () => {
  // Models 0 ≡ 1 and 2 ≡ 3 (same rows, score 1 between twins); across the pairs alignment 0.3.
  const pairs = sq([
    [1, 1, 0.3, 0.3],
    [1, 1, 0.3, 0.3],
    [0.3, 0.3, 1, 1],
    [0.3, 0.3, 1, 1],
  ])
  const names = ['vit-a', 'vit-b', 'gpt-a', 'gpt-b']

  it('MDS places identical models at the same point and keeps 1 − alignment as the distance', async () => {
    const m = await modelMap(names, pairs, { method: 'auto', seed: 4 })
    expect(m.method).toBe('mds')
    expect(m.points.map((p) => p.name)).toEqual(names)
    const [a, b, c, d] = m.points as [typeof m.points[0], typeof m.points[0], typeof m.points[0], typeof m.points[0]]
    expect(dist2(a, b)).toBeLessThan(1e-9)
    expect(dist2(c, d)).toBeLessThan(1e-9)
    // The two pairs are 0.7 apart (Euclidean input: MDS is exact, stress 0).
    expect(dist2(a, c)).toBeCloseTo(0.7, 9)
    expect(m.stress).toBeLessThan(1e-9)
    expect(m.seed).toBe(4)
  })

  it('MDS recovers a triangle from its distances (3-4-5)', async () => {
    const m = await modelMap(['a', 'b', 'c'], sq([
      [1, -2, -4],
      [-2, 1, -3],
      [-4, -3, 1],
    ]), { method: 'mds', seed: 0 })
    const [a, b, c] = m.points as [typeof m.points[0], typeof m.points[0], typeof m.points[0]]
    expect(dist2(a, b)).toBeCloseTo(3, 9)
    expect(dist2(b, c)).toBeCloseTo(4, 9)
    expect(dist2(a, c)).toBeCloseTo(5, 9)
  })

  it('auto switches to UMAP from 12 models; groups of aligned models stay together', async () => {
    const n = 14
    const group = (i: number): number => (i < 7 ? 0 : 1)
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : group(i) === group(j) ? 0.8 - 0.01 * Math.abs(i - j) : 0.1)))
    const names14 = Array.from({ length: n }, (_, i) => `m${i}`)
    const m = await modelMap(names14, sq(rows), { seed: 3 })
    expect(m.method).toBe('umap')
    expect(m.nNeighbors).toBe(5)
    // Every model is closer to the centroid of its own group than to the other's.
    const centroid = (g: number): { x: number; y: number } => {
      const ps = m.points.filter((_, i) => group(i) === g)
      return { x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length }
    }
    const cs = [centroid(0), centroid(1)]
    m.points.forEach((p, i) => expect(dist2(p, cs[group(i)]!)).toBeLessThan(dist2(p, cs[1 - group(i)]!)))
    const again = await modelMap(names14, sq(rows), { seed: 3 })
    expect(again.points).toEqual(m.points)
  })

  it('one model sits at the origin; bad input is rejected', async () => {
    const one = await modelMap(['solo'], sq([[1]]), { seed: 0 })
    expect(one.points).toEqual([{ name: 'solo', x: 0, y: 0 }])
    const bad = (p: Promise<unknown>): Promise<void> => expect(p).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await bad(modelMap(['a', 'b'], sq([[1, Number.NaN], [0.5, 1]]), { seed: 0 }))
    await bad(modelMap(['a', 'b', 'c'], pairs, { seed: 0 }))
    await bad(modelMap(['a', 'a'], sq([[1, 0.5], [0.5, 1]]), { seed: 0 }))
    await bad(modelMap(['a', 'b'], sq([[1, 0.5], [0.5, 1]]), { seed: 0, method: 'umap' }))
    await bad(modelMap(['a', 'b'], sq([[1, 0.5], [0.5, 1]]), { seed: 0, method: 'tsne' as 'mds' }))
    await bad(modelMap([], sq([]), { seed: 0 }))
  })
})
