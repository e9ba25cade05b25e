import { centredKernel, ckaRatio, GRAM_ROUTE_MAX_N, type Centred } from './cka'
import { innerProductsF64 } from './innerProducts'
import type { Candidate } from './layerSearch'
import type { MetricContext, MetricName, MetricValue } from './metrics'
import { TriangleProducts } from './triangleProducts'

type KernelMetric = 'cka' | 'cka_rbf'

/** The centred-kernel inner products of one metric for every layer pair, [L_A, L_B] row-major, and the self terms. */
export interface KernelTable {
  cross: Float64Array
  selfA: number[]
  selfB: number[]
}

/**
 * Linear and RBF CKA for a whole layer table at once: HSIC(K_a, K_b) = ⟨HK_aH, HK_bH⟩ for all
 * L_A × L_B pairs from chunked float64 GEMMs over the upper triangles (`TriangleProducts` with the
 * identity permutation; off-diagonal entries doubled), instead of one N² dot product per pair that
 * streams both kernels from memory. Used when every layer's centred kernel fits `budget` at once
 * (N ≤ GRAM_ROUTE_MAX_N); the scores are those of `scorePair` up to rounding.
 */
export async function kernelTables(A: Candidate[], B: Candidate[], metrics: MetricName[], ctx: MetricContext, budget: number): Promise<Map<MetricName, KernelTable>> {
  const out = new Map<MetricName, KernelTable>()
  const wanted = metrics.filter((m): m is KernelMetric => m === 'cka' || m === 'cka_rbf')
  const n = A[0]?.view.n ?? 0
  if (!wanted.length || n < 2 || n > GRAM_ROUTE_MAX_N || A.length * B.length < 2) return out
  // Every centred kernel of both sides, plus A's packed triangles.
  if ((wanted.length * (A.length + B.length) * n * n + (A.length * n * (n + 1)) / 2) * 8 > budget) return out
  const gemm = (X: Float64Array, m: number, Y: Float64Array, rows: number, d: number): Promise<Float64Array> =>
    ctx.backend.innerProducts ? ctx.backend.innerProducts(X, m, Y, rows, d, ctx.signal) : Promise.resolve(innerProductsF64(X, m, Y, rows, d))
  const identity = Int32Array.from({ length: n }, (_, i) => i)
  for (const m of wanted) {
    const ka: Centred[] = []
    for (const a of A) ka.push(await centredKernel(a.view, m, ctx.rbfSigma, ctx.signal))
    const kb: Centred[] = []
    for (const b of B) kb.push(await centredKernel(b.view, m, ctx.rbfSigma, ctx.signal))
    const products = new TriangleProducts(
      n,
      false,
      A.length,
      kb.map((k) => k.Kc),
      (i, r, dest, off) => {
        const K = ka[i]!.Kc
        dest[off] = K[r * n + r]!
        for (let s = r + 1; s < n; s++) dest[off + s - r] = 2 * K[r * n + s]!
      },
      gemm,
    )
    const [cross] = await products.products([identity])
    out.set(m, { cross: cross!, selfA: ka.map((k) => k.self), selfB: kb.map((k) => k.self) })
  }
  return out
}

/** The score of pair (i, j) from a kernel table, as `linearCka` / `rbfCka` would give it. */
export function tableScore(t: KernelTable, i: number, j: number): MetricValue {
  return ckaRatio(t.cross[i * t.selfB.length + j]!, t.selfA[i]!, t.selfB[j]!)
}
