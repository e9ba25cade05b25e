import type { Candidate } from './layerSearch'
import { ResampledLayer, type LayerView } from './layerView'
import { scorePair, type MetricContext, type MetricName } from './metrics'
import { centredKernel, ckaRatio, GRAM_ROUTE_MAX_N } from './cka'
import { centredDistanceRanks } from './rsa'
import { nuclearNormOfCross, procrustesFactor } from './procrustes'
import { aggregateTable } from './calibration'
import { innerProductsF64 } from './innerProducts'
import { checkAbort } from './referenceBackend'

/**
 * The layer table of one metric with B's rows relabelled: row i of A meets row perm[i] of B
 * (B'[i] = B[perm[i]], inv the inverse permutation), the same permutation for every layer of B.
 * Row-major [L_A, L_B] over the candidates (concatenation included under max+concat).
 */
interface NullTable {
  table(perm: Int32Array, inv: Int32Array, permutedB: LayerView[]): Promise<Float64Array>
}

/** Largest bitset memory (bytes) for mutual_knn's neighbour sets of A; above it the generic path runs. */
const MAX_BITSET_BYTES = 512 * 1024 ** 2

/**
 * Aggregation-aware permutation null of a layer search (maxT): for each permutation the whole
 * L_A x L_B table of every metric is recomputed with B's rows relabelled, and reduced by the same
 * aggregate as the observed table (`aggregateTable`: best pair above 0 for layered inputs, the
 * single cell otherwise). Preparation is row-wise and done once; per-layer statistics (neighbour
 * lists, centred Grams, distance ranks, Procrustes factors) are computed once and only relabelled:
 * - mutual_knn: B's neighbour lists relabelled (j ↦ inv[j]) and counted against bitsets of A's lists;
 * - cka, cka_rbf (N ≤ GRAM_ROUTE_MAX_N): ⟨K_A, P K_B Pᵀ⟩ of the centred kernels for all layer pairs
 *   as one float64 GEMM [L_A, N(N+1)/2] x [N(N+1)/2, L_B] over the upper triangles (off-diagonal
 *   entries of A's side doubled), B's triangles gathered through the permutation;
 * - rsa: the same GEMM over the centred ranks of the N(N−1)/2 distances;
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
  const inv = new Int32Array(n)
  for (let k = 0; k < perms.length; k++) {
    checkAbort(ctx.signal)
    const perm = perms[k]!
    for (let i = 0; i < n; i++) inv[perm[i]!] = i
    const permutedB = B.map((b) => new ResampledLayer(b.view, perm, true))
    for (const m of metrics) {
      const t = await tables[m]!.table(perm, inv, permutedB)
      const rows = Array.from({ length: la }, (_, i) => t.subarray(i * lb, (i + 1) * lb))
      out[m]![k] = aggregateTable(rows, layered)
    }
    onStep?.(k + 1)
  }
  return out
}

async function nullTable(m: MetricName, A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  if (m === 'mutual_knn' && A.length * n * Math.ceil(n / 32) * 4 <= MAX_BITSET_BYTES) return mutualKnnTable(A, B, ctx)
  if ((m === 'cka' || m === 'cka_rbf') && n <= GRAM_ROUTE_MAX_N) return gramTable(m, A, B, ctx)
  if (m === 'rsa') return rsaTable(A, B, ctx)
  if (m === 'procrustes') return procrustesTable(A, B)
  return genericTable(m, A, ctx)
}

const live = (v: LayerView): boolean => !v.isConstant()

async function mutualKnnTable(A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  const k = ctx.k
  const words = Math.ceil(n / 32)
  const bits: (Uint32Array | null)[] = []
  for (const a of A) {
    if (!live(a.view)) {
      bits.push(null)
      continue
    }
    const nA = await a.view.knn(k, ctx.signal)
    const set = new Uint32Array(n * words)
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const q = nA[i * k + t]!
        const w = i * words + (q >>> 5)
        set[w] = set[w]! | (1 << (q & 31))
      }
    }
    bits.push(set)
  }
  const lists: (Int32Array | null)[] = []
  for (const b of B) lists.push(live(b.view) ? await b.view.knn(k, ctx.signal) : null)
  const rel = new Int32Array(n * k)
  return {
    async table(perm, inv) {
      const lb = B.length
      const out = new Float64Array(A.length * lb)
      for (let j = 0; j < lb; j++) {
        const nb = lists[j]
        if (!nb) continue
        for (let p = 0; p < n; p++) {
          const src = perm[p]! * k
          for (let t = 0; t < k; t++) rel[p * k + t] = inv[nb[src + t]!]!
        }
        for (let i = 0; i < A.length; i++) {
          const set = bits[i]
          if (!set) continue
          // Same arithmetic as mutualKnn (per-row hits / k summed, then / N), so equal lists give equal floats.
          let total = 0
          for (let p = 0; p < n; p++) {
            const row = p * words
            let hits = 0
            for (let t = 0; t < k; t++) {
              const q = rel[p * k + t]!
              if (set[row + (q >>> 5)]! & (1 << (q & 31))) hits++
            }
            total += hits / k
          }
          out[i * lb + j] = total / n
        }
      }
      return out
    },
  }
}

/** S = X Yᵀ through the backend's GEMM when it has one. */
function innerProducts(ctx: MetricContext, X: Float64Array, m: number, Y: Float64Array, n: number, d: number): Promise<Float64Array> {
  return ctx.backend.innerProducts ? ctx.backend.innerProducts(X, m, Y, n, d, ctx.signal) : Promise.resolve(innerProductsF64(X, m, Y, n, d))
}

async function gramTable(m: 'cka' | 'cka_rbf', A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  const len = (n * (n + 1)) / 2
  const X = new Float64Array(A.length * len)
  const selfA: number[] = []
  for (const [i, a] of A.entries()) {
    const c = await centredKernel(a.view, m, ctx.rbfSigma, ctx.signal)
    selfA.push(live(a.view) ? c.self : NaN)
    let t = i * len
    for (let r = 0; r < n; r++) {
      X[t++] = c.Kc[r * n + r]!
      for (let s = r + 1; s < n; s++) X[t++] = 2 * c.Kc[r * n + s]!
    }
  }
  const kernB: Float64Array[] = []
  const selfB: number[] = []
  for (const b of B) {
    const c = await centredKernel(b.view, m, ctx.rbfSigma, ctx.signal)
    kernB.push(c.Kc)
    selfB.push(live(b.view) ? c.self : NaN)
  }
  const Y = new Float64Array(B.length * len)
  return {
    async table(perm) {
      for (const [j, K] of kernB.entries()) {
        let t = j * len
        for (let r = 0; r < n; r++) {
          const row = perm[r]! * n
          for (let s = r; s < n; s++) Y[t++] = K[row + perm[s]!]!
        }
      }
      const S = await innerProducts(ctx, X, A.length, Y, B.length, len)
      return ratios(S, A.length, B.length, (i, j, v) => ckaRatio(v, selfA[i]!, selfB[j]!).score, selfA, selfB)
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

async function rsaTable(A: Candidate[], B: Candidate[], ctx: MetricContext): Promise<NullTable> {
  const n = A[0]!.view.n
  const len = (n * (n - 1)) / 2
  const X = new Float64Array(A.length * len)
  const normA: number[] = []
  for (const [i, a] of A.entries()) {
    const r = await centredDistanceRanks(a.view)
    X.set(r.ranks, i * len)
    normA.push(live(a.view) && r.norm > 0 ? r.norm : NaN)
  }
  const ranksB: Float64Array[] = []
  const normB: number[] = []
  for (const b of B) {
    const r = await centredDistanceRanks(b.view)
    ranksB.push(r.ranks)
    normB.push(live(b.view) && r.norm > 0 ? r.norm : NaN)
  }
  // pairIndex(i, j) = rowStart[i] + j for i < j
  const rowStart = new Float64Array(n)
  for (let i = 0; i < n; i++) rowStart[i] = i * n - (i * (i + 1)) / 2 - i - 1
  const Y = new Float64Array(B.length * len)
  return {
    async table(perm) {
      for (const [j, R] of ranksB.entries()) {
        let t = j * len
        for (let r = 0; r < n; r++) {
          const pr = perm[r]!
          for (let s = r + 1; s < n; s++) {
            const ps = perm[s]!
            Y[t++] = pr < ps ? R[rowStart[pr]! + ps]! : R[rowStart[ps]! + pr]!
          }
        }
      }
      const S = await innerProducts(ctx, X, A.length, Y, B.length, len)
      return ratios(S, A.length, B.length, (i, j, v) => v / (normA[i]! * normB[j]!), normA, normB)
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
