import type { Candidate } from './layerSearch'
import { ResampledLayer, type LayerView } from './layerView'
import { scorePair, type MetricContext, type MetricName } from './metrics'
import { centredKernel, ckaRatio, GRAM_ROUTE_MAX_N, hsicUnbiasedFromParts, unbiasedParts } from './cka'
import { meanPrincipalCosine, svccaBasis } from './svcca'
import { centredDistanceRanks } from './rsa'
import { nuclearNormOfCross, procrustesFactor } from './procrustes'
import { aggregateTable } from './calibration'
import { innerProductsF64 } from './innerProducts'
import { checkAbort } from './referenceBackend'
import { PERMUTATION_BATCH, TriangleProducts } from './triangleProducts'

/**
 * The layer table of one metric with B's rows relabelled: row i of A meets row perm[i] of B
 * (B'[i] = B[perm[i]], inv the inverse permutation), the same permutation for every layer of B.
 * Row-major [L_A, L_B] over the candidates (concatenation included under max+concat).
 */
interface NullTable {
  table?(perm: Int32Array, inv: Int32Array, permutedB: LayerView[]): Promise<Float64Array>
  /** The tables of a batch of permutations at once (the Gram metrics' chunked GEMM). */
  batch?(perms: Int32Array[]): Promise<Float64Array[]>
}

/** Largest memory (bytes) for the packed kernel triangles of the Gram metrics' GEMM. */
const MAX_TRIANGLE_BYTES = 1.5 * 1024 ** 3

/** Largest memory (bytes) for mutual_knn's per-item masks of A's neighbour sets; above it the generic path runs. */
const MAX_BITSET_BYTES = 512 * 1024 ** 2

/**
 * Aggregation-aware permutation null of a layer search (maxT): for each permutation the whole
 * L_A x L_B table of every metric is recomputed with B's rows relabelled, and reduced by the same
 * aggregate as the observed table (`aggregateTable`: best pair above 0 for layered inputs, the
 * single cell otherwise). Preparation is row-wise and done once; per-layer statistics (neighbour
 * lists, centred Grams, distance ranks, Procrustes factors) are computed once and only relabelled:
 * - mutual_knn: B's neighbour lists relabelled (j ↦ inv[j]) and looked up in per-item masks of A's lists;
 * - cka, cka_rbf, unbiased_cka (N ≤ GRAM_ROUTE_MAX_N): ⟨K_A, P K_B Pᵀ⟩ of the (centred) kernels
 *   for all layer pairs and a batch of permutations through `TriangleProducts`: float64 GEMMs
 *   [L_A, w] x [w, P·L_B] over chunks of the upper triangles (off-diagonal entries of A's side
 *   doubled), B's entries gathered through each permutation;
 * - svcca: B's singular directions with their rows permuted;
 * - rsa: the same chunked GEMM over the centred ranks of the N(N−1)/2 distances;
 * - procrustes: ‖Z_Aᵀ P Z_B‖_* from the per-layer factors;
 * - every other metric through relabelled views (`ResampledLayer`: neighbour lists relabelled,
 *   Grams gathered), scored as in the layer search.
 * Returns T_1..T_K per metric.
 */
export async function layerSearchNull(A: Candidate[], B: Candidate[], metrics: MetricName[], perms: Int32Array[], layered: boolean, ctx: MetricContext, onStep?: (done: number) => void): Promise<Record<string, Float64Array>> {
  const tables: Record<string, NullTable> = {}
  for (const m of metrics) {
    checkAbort(ctx.signal)
    tables[m] = await nullTable(m, A, B, ctx)
  }
  const out: Record<string, Float64Array> = {}
  for (const m of metrics) out[m] = new Float64Array(perms.length)
  const la = A.length
  const lb = B.length
  const n = A[0]!.view.n
  const reduce = (t: Float64Array): number => aggregateTable(Array.from({ length: la }, (_, i) => t.subarray(i * lb, (i + 1) * lb)), layered)
  const inv = new Int32Array(n)
  for (let k0 = 0; k0 < perms.length; k0 += PERMUTATION_BATCH) {
    checkAbort(ctx.signal)
    const batch = perms.slice(k0, k0 + PERMUTATION_BATCH)
    for (const m of metrics) {
      const t = tables[m]!
      if (t.batch) (await t.batch(batch)).forEach((tab, p) => (out[m]![k0 + p] = reduce(tab)))
    }
    for (const [p, perm] of batch.entries()) {
      checkAbort(ctx.signal)
      for (let i = 0; i < n; i++) inv[perm[i]!] = i
      // One relabelled view per layer of B, shared by the per-permutation metrics (their relabelled lists are memoised on it).
      const permutedB = B.map((b) => new ResampledLayer(b.view, perm, true))
      for (const m of metrics) {
        const t = tables[m]!
        if (!t.batch) out[m]![k0 + p] = reduce(await t.table!(perm, inv, permutedB))
      }
      onStep?.(k0 + p + 1)
    }
  }
  return out
}

async function nullTable(m: MetricName, A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  if (m === 'mutual_knn' && n * n * Math.ceil(A.length / 32) * 4 <= MAX_BITSET_BYTES) return mutualKnnTable(A, B, ctx)
  // The packed triangles of every layer (plus B's full kernels) must fit; else the generic path (bounded memory, slower).
  const triangles = (A.length + 2 * B.length) * ((n * (n + 1)) / 2) * 8 <= MAX_TRIANGLE_BYTES
  if ((m === 'cka' || m === 'cka_rbf') && n <= GRAM_ROUTE_MAX_N && triangles) return gramTable(m, A, B, ctx)
  if (m === 'unbiased_cka' && n <= GRAM_ROUTE_MAX_N && triangles) return unbiasedTable(A, B, ctx)
  if (m === 'svcca') return svccaTable(A, B)
  if (m === 'rsa' && triangles) return rsaTable(A, B, ctx)
  if (m === 'procrustes') return procrustesTable(A, B)
  return genericTable(m, A, ctx)
}

const live = (v: LayerView): boolean => !v.isConstant()

/**
 * mutual_knn for every layer pair of one permutation from one pass over B's lists: mask[p, q] holds
 * one bit per A layer whose neighbour list of p contains q, so each relabelled entry q of B'(p) is
 * one lookup for all of A's layers at once (N·k lookups per B layer instead of L_A·N·k).
 */
async function mutualKnnTable(A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  const k = ctx.k
  const la = A.length
  const words = Math.ceil(la / 32)
  const mask = new Uint32Array(n * n * words)
  const liveA = A.map((a) => live(a.view))
  for (const [i, a] of A.entries()) {
    if (!liveA[i]) continue
    const nA = await a.view.knn(k, ctx.signal)
    const w = i >>> 5
    const bit = 1 << (i & 31)
    for (let p = 0; p < n; p++) for (let t = 0; t < k; t++) mask[(p * n + nA[p * k + t]!) * words + w]! |= bit
  }
  const lists: (Int32Array | null)[] = []
  for (const b of B) lists.push(live(b.view) ? await b.view.knn(k, ctx.signal) : null)
  const hits = new Int32Array(la)
  const touched = new Int32Array(la)
  const totals = new Float64Array(la)
  return {
    async table(perm, inv) {
      const lb = B.length
      const out = new Float64Array(la * lb)
      for (let j = 0; j < lb; j++) {
        const nb = lists[j]
        if (!nb) continue
        totals.fill(0)
        for (let p = 0; p < n; p++) {
          const src = perm[p]! * k
          let nt = 0
          for (let t = 0; t < k; t++) {
            const base = (p * n + inv[nb[src + t]!]!) * words
            for (let w = 0; w < words; w++) {
              let m = mask[base + w]!
              while (m !== 0) {
                const i = w * 32 + (31 - Math.clz32(m & -m))
                if (hits[i] === 0) touched[nt++] = i
                hits[i]!++
                m &= m - 1
              }
            }
          }
          // Same arithmetic as mutualKnn (per-row hits / k summed, then / N); rows without hits add 0.
          for (let u = 0; u < nt; u++) {
            const i = touched[u]!
            totals[i]! += hits[i]! / k
            hits[i] = 0
          }
        }
        for (let i = 0; i < la; i++) if (liveA[i]) out[i * lb + j] = totals[i]! / n
      }
      return out
    },
  }
}

/** S = X Yᵀ through the backend's GEMM when it has one. */
function innerProducts(ctx: MetricContext, X: Float64Array, m: number, Y: Float64Array, n: number, d: number): Promise<Float64Array> {
  return ctx.backend.innerProducts ? ctx.backend.innerProducts(X, m, Y, n, d, ctx.signal) : Promise.resolve(innerProductsF64(X, m, Y, n, d))
}

/**
 * The Gram metrics' tables through `TriangleProducts`: A's kernels packed as weighted upper triangles
 * (diagonal weighted by `diag`, off-diagonal entries doubled since each stands for two), B's full
 * kernels relabelled through each permutation; `score` turns S = ⟨K_A, P K_B Pᵀ⟩ into the metric.
 */
async function triangleTable(
  A: Candidate[],
  B: Candidate[],
  ctx: MetricContext,
  kernel: (v: LayerView) => Promise<Float64Array>,
  diag: number,
  score: (i: number, j: number, s: number, perm: Int32Array) => number,
): Promise<NullTable> {
  const n = A[0]!.view.n
  const kernA: Float64Array[] = []
  for (const a of A) kernA.push(await kernel(a.view))
  const kernB: Float64Array[] = []
  for (const b of B) kernB.push(await kernel(b.view))
  const products = new TriangleProducts(
    n,
    false,
    A.length,
    kernB,
    (i, r, dest, off) => {
      const K = kernA[i]!
      dest[off] = diag * K[r * n + r]!
      for (let s = r + 1; s < n; s++) dest[off + s - r] = 2 * K[r * n + s]!
    },
    (X, m, Y, rows, d) => innerProducts(ctx, X, m, Y, rows, d),
  )
  const liveA = A.map((a) => live(a.view))
  const liveB = B.map((b) => live(b.view))
  return {
    async batch(perms) {
      const S = await products.products(perms)
      return S.map((St, p) => {
        const out = new Float64Array(A.length * B.length)
        // A pair with a constant side scores 0, as in scorePair.
        for (let i = 0; i < A.length; i++) for (let j = 0; j < B.length; j++) if (liveA[i] && liveB[j]) out[i * B.length + j] = score(i, j, St[i * B.length + j]!, perms[p]!)
        return out
      })
    },
  }
}

/** Linear or RBF CKA: the centred kernels' inner product over their self terms. */
async function gramTable(m: 'cka' | 'cka_rbf', A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const centred = (v: LayerView) => centredKernel(v, m, ctx.rbfSigma, ctx.signal)
  const selfA = await Promise.all(A.map(async (a) => (await centred(a.view)).self))
  const selfB = await Promise.all(B.map(async (b) => (await centred(b.view)).self))
  return triangleTable(A, B, ctx, async (v) => (await centred(v)).Kc, 1, (i, j, s) => ckaRatio(s, selfA[i]!, selfB[j]!).score)
}

/**
 * Unbiased CKA: the cross term Σ_{i≠j} K_ij L_πi,πj from the GEMM (diagonal weight 0), Σ(K̃L̃) from
 * the row sums (rowsum_B relabelled), the totals and self terms unchanged by a permutation.
 */
async function unbiasedTable(A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const pa = await Promise.all(A.map((a) => unbiasedParts(a.view, ctx.signal)))
  const pb = await Promise.all(B.map((b) => unbiasedParts(b.view, ctx.signal)))
  const n = A[0]!.view.n
  return triangleTable(A, B, ctx, async (v) => (await unbiasedParts(v, ctx.signal)).G, 0, (i, j, cross, perm) => {
    let sumKL = 0
    const ra = pa[i]!.rowSums
    const rb = pb[j]!.rowSums
    for (let l = 0; l < n; l++) sumKL += ra[l]! * rb[perm[l]!]!
    return ckaRatio(hsicUnbiasedFromParts(n, cross, pa[i]!.total, pb[j]!.total, sumKL), pa[i]!.self, pb[j]!.self).score
  })
}

/** SVCCA: B's singular directions of permuted items are its directions with the rows permuted. */
async function svccaTable(A: Candidate[], B: Candidate[]): Promise<NullTable> {
  const n = A[0]!.view.n
  const ua = await Promise.all(A.map((a) => (live(a.view) ? svccaBasis(a.view) : null)))
  const ub = await Promise.all(B.map((b) => (live(b.view) ? svccaBasis(b.view) : null)))
  return {
    async table(perm) {
      const out = new Float64Array(A.length * B.length)
      for (const [j, b] of ub.entries()) {
        if (!b || b.r === 0) continue
        const U = new Float64Array(n * b.r)
        for (let r = 0; r < n; r++) U.set(b.U.subarray(perm[r]! * b.r, (perm[r]! + 1) * b.r), r * b.r)
        for (const [i, a] of ua.entries()) if (a && a.r > 0) out[i * B.length + j] = meanPrincipalCosine(a.U, a.r, U, b.r, n)
      }
      return out
    },
  }
}

/** Scores from inner products; a pair with a constant side (NaN self term) scores 0, as in scorePair. */
function ratios(S: Float64Array, la: number, lb: number, f: (i: number, j: number, v: number) => number, selfA: number[], selfB: number[]): Float64Array {
  const out = new Float64Array(la * lb)
  for (let i = 0; i < la; i++) {
    for (let j = 0; j < lb; j++) out[i * lb + j] = Number.isNaN(selfA[i]!) || Number.isNaN(selfB[j]!) ? 0 : f(i, j, S[i * lb + j]!)
  }
  return out
}

/** rsa: the same chunked GEMM over the strict upper triangle of the centred distance ranks (B's ranks unpacked to full symmetric matrices). */
async function rsaTable(A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  // pairIndex(i, j) = rowStart[i] + j for i < j
  const rowStart = new Float64Array(n)
  for (let i = 0; i < n; i++) rowStart[i] = i * n - (i * (i + 1)) / 2 - i - 1
  const ranksA: Float64Array[] = []
  const normA: number[] = []
  for (const a of A) {
    const r = await centredDistanceRanks(a.view)
    ranksA.push(r.ranks)
    normA.push(live(a.view) && r.norm > 0 ? r.norm : NaN)
  }
  const fullB: Float64Array[] = []
  const normB: number[] = []
  for (const b of B) {
    const r = await centredDistanceRanks(b.view)
    const F = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = r.ranks[rowStart[i]! + j]!
        F[i * n + j] = v
        F[j * n + i] = v
      }
    }
    fullB.push(F)
    normB.push(live(b.view) && r.norm > 0 ? r.norm : NaN)
  }
  const products = new TriangleProducts(
    n,
    true,
    A.length,
    fullB,
    (i, r, dest, off) => dest.set(ranksA[i]!.subarray(rowStart[r]! + r + 1, rowStart[r]! + n), off),
    (X, m, Y, rows, d) => innerProducts(ctx, X, m, Y, rows, d),
  )
  return {
    async batch(perms) {
      return (await products.products(perms)).map((S) => ratios(S, A.length, B.length, (i, j, v) => v / (normA[i]! * normB[j]!), normA, normB))
    },
  }
}

async function procrustesTable(A: Candidate[], B: Candidate[]): Promise<NullTable> {
  const fa = await Promise.all(A.map(async (a) => (live(a.view) ? procrustesFactor(a.view) : null)))
  const fb = await Promise.all(B.map(async (b) => (live(b.view) ? procrustesFactor(b.view) : null)))
  return {
    async table(perm) {
      const out = new Float64Array(A.length * B.length)
      for (let i = 0; i < A.length; i++) {
        for (let j = 0; j < B.length; j++) {
          const za = fa[i]
          const zb = fb[j]
          if (za && zb) out[i * B.length + j] = nuclearNormOfCross(za, zb, (r) => perm[r]!)
        }
      }
      return out
    },
  }
}

function genericTable(m: MetricName, A: Candidate[], ctx: MetricContext): NullTable {
  return {
    async table(_perm, _inv, permutedB) {
      const out = new Float64Array(A.length * permutedB.length)
      for (let i = 0; i < A.length; i++) {
        for (let j = 0; j < permutedB.length; j++) out[i * permutedB.length + j] = (await scorePair(m, A[i]!.view, permutedB[j]!, ctx)).score
      }
      return out
    },
  }
}
