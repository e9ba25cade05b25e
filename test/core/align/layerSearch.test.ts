import { describe, expect, it } from 'vitest'
import type { KernelBackend } from '../../../src-main/core/align/backend'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { align } from '../../../src-main/core/align/align'
import { bestPosition } from '../../../src-main/core/align/layerSearch'
import { gaussian } from './helpers'
import type { Tensor3 } from '../../../src-main/common/matrix'

function counting(): KernelBackend & { calls: { knn: number; gram: number } } {
  const ref = createReferenceBackend()
  const calls = { knn: 0, gram: 0 }
  return {
    ep: 'counting',
    calls,
    knn: (F, k, s) => (calls.knn++, ref.knn(F, k, s)),
    gram: (F, s) => (calls.gram++, ref.gram(F, s)),
    linearHsic: (A, B, s) => ref.linearHsic(A, B, s),
  }
}

function tensor(n: number, layers: number, dim: number, seed: number): Tensor3 {
  return { data: gaussian(n, layers * dim, seed).data, n, layers, dim }
}

describe('layer search', () => {
  it('computes each layer’s neighbour lists and Gram once, not once per pair', async () => {
    const backend = counting()
    const res = await align(tensor(30, 3, 6, 1), tensor(30, 4, 5, 2), { metrics: ['mutual_knn', 'cknna', 'cka', 'unbiased_cka'], k: 4, backend })
    expect(res.metrics.mutual_knn!.matrix).toHaveLength(3)
    expect(res.metrics.mutual_knn!.matrix![0]).toHaveLength(4)
    expect(backend.calls.knn).toBe(3 + 4)
    expect(backend.calls.gram).toBe(3 + 4)
    expect(res.ep).toBe('counting')
  })

  it('max+concat adds candidate −1 first on each side; the matrix is (L_A+1) x (L_B+1)', async () => {
    const res = await align(tensor(25, 2, 4, 3), tensor(25, 3, 4, 4), { metrics: ['cka'], layers: 'max+concat' })
    const m = res.metrics.cka!
    expect(m.matrix).toHaveLength(3)
    expect(m.matrix![0]).toHaveLength(4)
    const best = bestPosition(m.matrix!)!
    expect(m.layers).toEqual([best.i - 1, best.j - 1])
  })

  it('best pair: ties go to the first pair in row-major order; only scores > 0 qualify', () => {
    expect(bestPosition([[0.1, 0.5], [0.5, 0.2]])).toEqual({ i: 0, j: 1, score: 0.5 })
    expect(bestPosition([[0, -0.2], [-1, 0]])).toBeNull()
  })

  it('a constant layer (like a ViT layer-0 CLS token) does not crash the sweep and is reported as undefined', async () => {
    const A = tensor(20, 3, 5, 5)
    for (let i = 0; i < 20; i++) A.data.fill(0.25, (i * 3 + 0) * 5, (i * 3 + 1) * 5)
    const res = await align(A, A, { metrics: ['mutual_knn', 'cka', 'svcca', 'cknna', 'unbiased_cka'], k: 3 })
    for (const [m, r] of Object.entries(res.metrics)) {
      expect(r.matrix![0]!.every((v) => v === 0), m).toBe(true)
      expect(Number.isFinite(r.score), m).toBe(true)
      expect(r.layers![0], m).toBe(r.layers![1]) // A vs itself: a diagonal pair, never the constant layer 0
      expect(r.layers![0], m).toBeGreaterThan(0)
      expect(r.score, m).toBeGreaterThan(0.99)
    }
  })

  it('mixing 2-D and 3-D treats the 2-D side as one layer and reports a matrix', async () => {
    const A = tensor(20, 3, 5, 6)
    const B = gaussian(20, 7, 7)
    const res = await align(A, B, { metrics: ['mutual_knn'], k: 3 })
    expect(res.metrics.mutual_knn!.matrix!.map((r) => r.length)).toEqual([1, 1, 1])
    const res2 = await align(gaussian(20, 5, 8), gaussian(20, 7, 7), { metrics: ['mutual_knn'], k: 3 })
    expect(res2.metrics.mutual_knn!.matrix).toBeNull()
    expect(res2.metrics.mutual_knn!.layers).toBeNull()
  })

  it('reports progress and honours an AbortSignal between layers', async () => {
    const seen: number[] = []
    await align(tensor(15, 2, 3, 9), tensor(15, 2, 3, 10), { metrics: ['cka'], onProgress: (f) => seen.push(f) })
    expect(seen.at(-1)).toBe(1)
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]!)).toBe(true)
    const ac = new AbortController()
    ac.abort()
    await expect(align(tensor(15, 2, 3, 9), tensor(15, 2, 3, 10), { metrics: ['cka'], signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
