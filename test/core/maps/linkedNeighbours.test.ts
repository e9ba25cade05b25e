import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { neighbourPanel } from '../../../src-main/core/maps/linkedNeighbours'

describe('neighbourPanel', () => {
  it('lists both neighbourhoods and their intersection (hand example)', () => {
    // 4 items, k = 2.
    const a = Int32Array.from([1, 2, 0, 3, 3, 0, 2, 1])
    const b = Int32Array.from([2, 3, 3, 2, 0, 1, 0, 1])
    const p = neighbourPanel(a, b, 2, [0, 1, 3])
    expect(p.rows).toEqual([
      { index: 0, a: [1, 2], b: [2, 3], shared: [2], overlap: 0.5 },
      { index: 1, a: [0, 3], b: [3, 2], shared: [3], overlap: 0.5 },
      { index: 3, a: [2, 1], b: [0, 1], shared: [1], overlap: 0.5 },
    ])
    expect(p.meanOverlap).toBeCloseTo(0.5, 15)
    expect(neighbourPanel(a, b, 2, []).meanOverlap).toBeNull()
  })

  it('matches a brute-force mutual k-NN on random lists, including longer stored lists', () => {
    const lists = fc.integer({ min: 3, max: 12 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        k: fc.integer({ min: 1, max: n - 1 }),
        extra: fc.integer({ min: 0, max: 2 }),
        seedA: fc.array(fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
        seedB: fc.array(fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
      }),
    )
    fc.assert(
      fc.property(lists, ({ n, k, extra, seedA, seedB }) => {
        const stride = Math.min(n - 1, k + extra)
        // Neighbour lists: other items ordered by a random score (a permutation per row).
        const toLists = (scores: number[][]): Int32Array => {
          const out = new Int32Array(n * stride)
          for (let i = 0; i < n; i++) {
            const order = scores[i]!.map((_, j) => j).filter((j) => j !== i).sort((x, y) => scores[i]![x]! - scores[i]![y]! || x - y)
            for (let t = 0; t < stride; t++) out[i * stride + t] = order[t]!
          }
          return out
        }
        const A = toLists(seedA)
        const B = toLists(seedB)
        const all = Array.from({ length: n }, (_, i) => i)
        const p = neighbourPanel(A, B, k, all, { strideA: stride, strideB: stride })
        let total = 0
        for (let i = 0; i < n; i++) {
          const na = Array.from(A.subarray(i * stride, i * stride + k))
          const nb = Array.from(B.subarray(i * stride, i * stride + k))
          let shared = 0
          for (const x of na) for (const y of nb) if (x === y) shared++
          expect(p.rows[i]!.shared.length).toBe(shared)
          expect(p.rows[i]!.a).toEqual(na)
          expect(p.rows[i]!.b).toEqual(nb)
          total += shared / k
        }
        expect(p.meanOverlap).toBeCloseTo(total / n, 12)
      }),
      { numRuns: 100, seed: 11 },
    )
  })

  it('the same space against itself overlaps fully', () => {
    const a = Int32Array.from([1, 2, 0, 2, 0, 1])
    expect(neighbourPanel(a, a, 2, [0, 1, 2]).meanOverlap).toBe(1)
  })

  it('rejects mismatched spaces, bad k and out-of-range selections', () => {
    const a = Int32Array.from([1, 2, 0, 2, 0, 1])
    const bad = (fn: () => unknown): void => expect(fn).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
    bad(() => neighbourPanel(a, Int32Array.from([1, 0]), 2, [0]))
    bad(() => neighbourPanel(a, a, 3, [0]))
    bad(() => neighbourPanel(a, a, 0, [0]))
    bad(() => neighbourPanel(a, a, 2, [3]))
    bad(() => neighbourPanel(a, a, 2, [-1]))
  })
})
