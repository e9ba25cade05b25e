import { describe, expect, it } from 'vitest'
import { layerSearch, type Candidate } from '../../../src-main/core/align/layerSearch'
import { kernelTables } from '../../../src-main/core/align/kernelTables'
import { FullLayer } from '../../../src-main/core/align/layerView'
import { scorePair, type MetricContext } from '../../../src-main/core/align/metrics'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { createOrtBackend } from '../../../src-main/core/onnx/kernels'
import type { KernelBackend } from '../../../src-main/core/align/backend'
import { gaussian } from './helpers'

function candidates(count: number, n: number, dim: number, seed: number, backend: KernelBackend, constant = -1): Candidate[] {
  return Array.from({ length: count }, (_, l) => {
    const F = gaussian(n, dim + l, seed + l)
    if (l === constant) F.data.fill(0.25)
    return { index: l, view: new FullLayer(F, `layer ${l}`, backend) }
  })
}

describe('kernelTables (CKA for a whole layer table from one chunked GEMM)', () => {
  for (const [name, make] of [['reference', async () => createReferenceBackend()], ['onnx runtime', () => createOrtBackend({ ep: 'cpu' })]] as const) {
    it(`gives scorePair's linear and RBF CKA for every pair, a constant layer scoring 0 with its reason (${name} backend)`, async () => {
      const backend = await make()
      try {
        const ctx: MetricContext = { k: 3, rbfSigma: 0.8, backend }
        // N = 140: the packed triangle (9,870 entries) spans two chunks, so partial GEMMs are summed.
        const A = candidates(4, 140, 6, 1, backend, 2)
        const B = candidates(3, 140, 5, 40, backend)
        const tables = await kernelTables(A, B, ['cka', 'cka_rbf', 'mutual_knn'], ctx, 2 ** 30)
        expect([...tables.keys()].sort()).toEqual(['cka', 'cka_rbf'])
        const grids = await layerSearch(A, B, ['cka', 'cka_rbf'], ctx)
        // The definition, pair by pair, on fresh views (nothing memoised from the table path).
        const A2 = candidates(4, 140, 6, 1, backend, 2)
        const B2 = candidates(3, 140, 5, 40, backend)
        for (const m of ['cka', 'cka_rbf'] as const) {
          for (let i = 0; i < A.length; i++) {
            for (let j = 0; j < B.length; j++) {
              const want = await scorePair(m, A2[i]!.view, B2[j]!.view, ctx)
              expect(grids[m]!.matrix[i]![j], `${m} ${i},${j}`).toBeCloseTo(want.score, 12)
              expect(grids[m]!.reasons[i]![j]).toBe(want.undefinedReason)
            }
          }
        }
        expect(grids.cka!.reasons[2]![0]).toMatch(/constant/)
      } finally {
        await backend.dispose?.()
      }
    })
  }

  it('is skipped when the kernels do not fit the budget or there is nothing to batch', async () => {
    const backend = createReferenceBackend()
    const ctx: MetricContext = { k: 3, rbfSigma: 1, backend }
    const A = candidates(2, 40, 4, 1, backend)
    const B = candidates(2, 40, 4, 9, backend)
    expect((await kernelTables(A, B, ['cka'], ctx, 40 * 40 * 8)).size).toBe(0)
    expect((await kernelTables(A.slice(0, 1), B.slice(0, 1), ['cka'], ctx, 2 ** 30)).size).toBe(0)
    expect((await kernelTables(A, B, ['mutual_knn', 'unbiased_cka'], ctx, 2 ** 30)).size).toBe(0)
  })
})
