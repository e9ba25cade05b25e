import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { upperChunks } from '../../../../src-main/core/onnx/kernels/blocks'
import { RunningTopK } from '../../../../src-main/core/onnx/kernels/runningTopK'

describe('upperChunks', () => {
  it('covers every pair (i, j) with j >= i exactly once, and (i, j) with j < i only inside diagonal squares', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 200 }), (n, b, floats) => {
        const seen = new Int32Array(n * n)
        for (const ch of upperChunks(n, b, floats)) {
          expect(ch.c0).toBeGreaterThanOrEqual(ch.r0)
          expect(ch.diag).toBe(ch.c0 === ch.r0)
          expect((ch.r1 - ch.r0) * (ch.c1 - ch.c0)).toBeLessThanOrEqual(Math.max(b * b, floats))
          for (let i = ch.r0; i < ch.r1; i++) for (let j = ch.c0; j < ch.c1; j++) seen[i * n + j]!++
        }
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const sameBlock = Math.floor(i / b) === Math.floor(j / b)
            expect(seen[i * n + j]).toBe(j >= i || sameBlock ? 1 : 0)
          }
        }
      }),
      { numRuns: 60 },
    )
  })
})

describe('RunningTopK', () => {
  it('keeps the k best by score, ties by ascending index, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        (scores, kRaw, seed) => {
          const k = Math.min(kRaw, scores.length)
          const order = scores.map((_, j) => j)
          let s = seed >>> 0
          for (let t = order.length - 1; t > 0; t--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0
            const u = s % (t + 1)
            ;[order[t], order[u]] = [order[u]!, order[t]!]
          }
          const top = new RunningTopK(1, k)
          for (const j of order) top.offer(0, scores[j]!, j)
          const want = scores
            .map((v, j) => [v, j] as const)
            .sort((x, y) => y[0] - x[0] || x[1] - y[1])
            .slice(0, k)
            .map((p) => p[1])
          expect(Array.from(top.idx)).toEqual(want)
          expect(top.full()).toBe(true)
          expect(top.thr[0]).toBe(scores[want[k - 1]!])
        },
      ),
      { numRuns: 200 },
    )
  })

  it('reports rows that are not yet full', () => {
    const top = new RunningTopK(2, 2)
    top.offer(0, 1, 1)
    top.offer(0, 2, 2)
    top.offer(1, 1, 0)
    expect(top.full()).toBe(false)
    expect(top.thr[1]).toBe(-Infinity)
  })
})
