import type { LayerView } from './layerView'
import { ckaRatio, hsicUnbiasedFromParts } from './cka'

/**
 * CKNNA (Huh et al. 2024, `cknna` in minyoungg/platonic-rep metrics.py, unbiased variant):
 * K = A Aᵀ, L = B Bᵀ; M_ij = 1 when j ≠ i is among i's top-k in K AND among i's top-k in L (the
 * mask is not symmetrised); sim(P, Q) = HSIC_u(M⊙P, M⊙Q) with the first term Σ_ij P̃_ij Q̃_ji;
 *   CKNNA = sim(K, L) / (sqrt(sim(K, K) · sim(L, L)) + 1e−6),
 * where sim(K, K) uses K's own top-k mask. M⊙K has at most k entries per row, so everything is
 * computed sparsely from the neighbour lists in O(N·k²) plus O(N·k·D) inner products — no N x N matrix.
 */
export async function cknna(a: LayerView, b: LayerView, k: number, signal?: AbortSignal) {
  const nA = await a.knn(k, signal)
  const nB = await b.knn(k, signal)
  const kk = await a.memo(`cknna.self:${k}`, async () => maskedHsic(a, a, nA, nA, k))
  const ll = await b.memo(`cknna.self:${k}`, async () => maskedHsic(b, b, nB, nB, k))
  return ckaRatio(maskedHsic(a, b, nA, nB, k), kk, ll)
}

function contains(list: Int32Array, o: number, k: number, x: number): boolean {
  for (let t = 0; t < k; t++) if (list[o + t] === x) return true
  return false
}

/** HSIC_u(M⊙K, M⊙L) with M from the neighbour lists nA, nB (row-major [N, k]). */
export function maskedHsic(a: LayerView, b: LayerView, nA: Int32Array, nB: Int32Array, k: number): number {
  const n = a.n
  const colSumP = new Float64Array(n)
  const rowSumQ = new Float64Array(n)
  let sumP = 0
  let sumQ = 0
  let cross = 0
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nA[i * k + t]!
      if (j >= n) throw new RangeError(`maskedHsic: neighbour ${j} of item ${i} is not one of the ${n} items`)
      if (j < 0 || j === i || !contains(nB, i * k, k, j)) continue
      const p = a.dot(i, j)
      const q = b.dot(i, j)
      sumP += p
      sumQ += q
      colSumP[j]! += p
      rowSumQ[i]! += q
      // Q_ji is nonzero only when i is in row j of the mask; K, L are symmetric so L_ji = L_ij.
      if (contains(nA, j * k, k, i) && contains(nB, j * k, k, i)) cross += p * q
    }
  }
  let sumPQ = 0
  for (let l = 0; l < n; l++) sumPQ += colSumP[l]! * rowSumQ[l]!
  return hsicUnbiasedFromParts(n, cross, sumP, sumQ, sumPQ)
}
