import { describe, expect, it } from 'vitest'
import type { Tensor3 } from '../../../src-main/common/matrix'
import { align } from '../../../src-main/core/align/align'
import { aggregateTable } from '../../../src-main/core/align/calibration'
import { drawPermutations } from '../../../src-main/core/align/permutations'
import { createOrtBackend } from '../../../src-main/core/onnx/kernels'
import type { KernelBackend } from '../../../src-main/core/align/backend'
import { gaussian } from './helpers'

/** B with its items reordered: row i of the result is item perm[i] (B'[i] = B[perm[i]]). */
function permuteItems(t: Tensor3, perm: Int32Array): Tensor3 {
  const per = t.layers * t.dim
  const data = new Float64Array(t.data.length)
  for (let i = 0; i < t.n; i++) data.set(t.data.subarray(perm[i]! * per, (perm[i]! + 1) * per), i * per)
  return { ...t, data }
}

function related(n: number, layers: number, dim: number, seed: number): Tensor3 {
  const base = gaussian(n, dim, 1).data
  const noise = gaussian(n, layers * dim, seed).data
  const data = new Float64Array(n * layers * dim)
  for (let i = 0; i < n; i++) for (let l = 0; l < layers; l++) for (let c = 0; c < dim; c++) data[(i * layers + l) * dim + c] = base[i * dim + c]! * (l % 3) + noise[(i * layers + l) * dim + c]!
  return { data, n, layers, dim }
}

const METRICS = ['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cka', 'cka_rbf', 'unbiased_cka', 'cknna', 'svcca', 'rsa', 'procrustes'] as const

async function check(backend: KernelBackend | undefined, layersA: number, digits: number): Promise<void> {
  const A = related(18, layersA, 4, 2)
  const B = related(18, 3, 5, 3)
  // one layer of A constant across items: it must score 0 in every permuted table too
  for (let i = 0; i < 18; i++) for (let c = 0; c < 4; c++) A.data[(i * layersA + 1) * 4 + c] = 0.5
  const perms = drawPermutations(3, 18, 11)
  const opts = { metrics: [...METRICS], k: 3, prep: 'l2' as const, layers: 'max+concat' as const, backend }
  const r = await align(A, B, { ...opts, permutationSet: perms })
  for (const [t, perm] of perms.entries()) {
    const again = await align(A, permuteItems(B, perm), opts)
    for (const m of METRICS) {
      const want = aggregateTable(again.metrics[m]!.matrix!, true)
      expect(r.metrics[m]!.calibration!.null_values[t], `${m}, permutation ${t}`).toBeCloseTo(want, digits)
    }
  }
}

describe('layerSearchNull relabels instead of recomputing, and agrees with a recomputation on permuted items', () => {
  it('every metric, 35 A layers (two mask words) with a constant layer, max+concat (reference backend)', async () => {
    await check(undefined, 35, 10)
  })

  it('the same through the ONNX Runtime backend (float64 Gemm for the Gram metrics)', async () => {
    const backend = await createOrtBackend({ ep: 'cpu', threads: 2 })
    try {
      await check(backend, 4, 6)
    } finally {
      await backend.dispose?.()
    }
  })
})
