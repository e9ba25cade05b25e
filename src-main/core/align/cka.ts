import type { LayerView } from './layerView'
import type { KernelBackend } from './backend'

/**
 * CKA family (Kornblith et al. 2019; as implemented in minyoungg/platonic-rep metrics.py):
 *   CKA(K, L) = HSIC(K, L) / (sqrt(HSIC(K, K) · HSIC(L, L)) + 1e−6)
 * The 1e−6 sits outside the square root and HSIC is NOT normalised by (N−1)², exactly as in the
 * official `cka` / `hsic_biased`; since the 1e−6 is absolute, this normalisation matters for
 * near-zero HSIC (e.g. a constant layer gives 0 / (0 + 1e−6) = 0).
 */
export const CKA_EPS = 1e-6

/** Above this N the linear CKA runs in feature space (backend.linearHsic) rather than on N x N Grams. */
export const GRAM_ROUTE_MAX_N = 4096

export function ckaRatio(kl: number, kk: number, ll: number): { score: number; undefinedReason: string | null } {
  const prod = kk * ll
  if (!(prod >= 0) || !Number.isFinite(kl)) return { score: 0, undefinedReason: `self-similarity terms have a negative product (${kk.toExponential(3)} · ${ll.toExponential(3)}); the ratio is undefined` }
  return { score: kl / (Math.sqrt(prod) + CKA_EPS), undefinedReason: null }
}

/** HKH for symmetric K (H = I − 11ᵀ/N): K_ij − r_i − r_j + g with r the row means, g the grand mean. */
export function centreGram(K: Float64Array, n: number): Float64Array {
  const r = new Float64Array(n)
  let g = 0
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += K[i * n + j]!
    r[i] = s / n
    g += s
  }
  g /= n * n
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = K[i * n + j]! - r[i]! - r[j]! + g
  return out
}

/** Σ_ij X_ij Y_ij — equals tr(K H L H) when X = HKH and Y = HLH (H idempotent). */
export function sumProduct(X: Float64Array, Y: Float64Array): number {
  let s = 0
  for (let t = 0; t < X.length; t++) s += X[t]! * Y[t]!
  return s
}

export interface Centred {
  Kc: Float64Array
  self: number
}

/** The memoised centred kernel of a layer for linear or RBF CKA (what the Gram route of each sums against). */
export function centredKernel(v: LayerView, metric: 'cka' | 'cka_rbf', sigma: number, signal?: AbortSignal): Promise<Centred> {
  return metric === 'cka' ? centredLinear(v, signal) : centredRbf(v, sigma, signal)
}

async function centredLinear(v: LayerView, signal?: AbortSignal): Promise<Centred> {
  return v.memo('cka.linear', async () => {
    const Kc = centreGram(await v.gram(signal), v.n)
    return { Kc, self: sumProduct(Kc, Kc) }
  })
}

/**
 * Linear CKA: K = A Aᵀ, L = B Bᵀ, HSIC(K, L) = tr(K H L H). For N ≤ GRAM_ROUTE_MAX_N each layer's
 * centred Gram is computed once and every pair costs one N² dot product; above, the backend's
 * feature-space ||Acᵀ Bc||²_F is used per pair.
 */
export async function linearCka(a: LayerView, b: LayerView, backend: KernelBackend, signal?: AbortSignal) {
  if (a.n <= GRAM_ROUTE_MAX_N) {
    const ca = await centredLinear(a, signal)
    const cb = await centredLinear(b, signal)
    return ckaRatio(sumProduct(ca.Kc, cb.Kc), ca.self, cb.self)
  }
  const h = await backend.linearHsic(a.features(), b.features(), signal)
  return ckaRatio(h.ab, h.aa, h.bb)
}

/**
 * RBF kernel K_ij = exp(−‖a_i − a_j‖² / (2σ²)), with ‖a_i − a_j‖² = G_ii + G_jj − 2G_ij clamped at 0
 * (as torch.cdist does), then centred. Biased HSIC, as the official `cka(kernel_metric='rbf')`.
 */
async function centredRbf(v: LayerView, sigma: number, signal?: AbortSignal): Promise<Centred> {
  return v.memo(`cka.rbf:${sigma}`, async () => {
    const G = await v.gram(signal)
    const n = v.n
    const K = new Float64Array(n * n)
    const denom = 2 * sigma * sigma
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d2 = i === j ? 0 : Math.max(0, G[i * n + i]! + G[j * n + j]! - 2 * G[i * n + j]!)
        K[i * n + j] = Math.exp(-d2 / denom)
      }
    }
    const Kc = centreGram(K, n)
    return { Kc, self: sumProduct(Kc, Kc) }
  })
}

export async function rbfCka(a: LayerView, b: LayerView, sigma: number, signal?: AbortSignal) {
  const ca = await centredRbf(a, sigma, signal)
  const cb = await centredRbf(b, sigma, signal)
  return ckaRatio(sumProduct(ca.Kc, cb.Kc), ca.self, cb.self)
}

/**
 * Unbiased HSIC (Song et al. 2012, eq. 5; `hsic_unbiased` in the official code), from its parts:
 *   HSIC_u = [ Σ_ij K̃_ij L̃_ji + (ΣK̃)(ΣL̃)/((N−1)(N−2)) − 2 Σ(K̃L̃)/(N−2) ] / (N(N−3))
 * with K̃, L̃ the kernels with zeroed diagonals and Σ(K̃L̃) the sum of all entries of the product.
 */
export function hsicUnbiasedFromParts(n: number, cross: number, sumK: number, sumL: number, sumKL: number): number {
  return (cross + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 * sumKL) / (n - 2)) / (n * (n - 3))
}

export interface UnbiasedParts {
  G: Float64Array
  rowSums: Float64Array
  total: number
  self: number
}

/** The memoised Gram, its row sums without the diagonal, their total and the self term of a layer. */
export async function unbiasedParts(v: LayerView, signal?: AbortSignal): Promise<UnbiasedParts> {
  return v.memo('cka.unbiased', async () => {
    const G = await v.gram(signal)
    const n = v.n
    const rowSums = new Float64Array(n)
    let total = 0
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < n; j++) if (j !== i) s += G[i * n + j]!
      rowSums[i] = s
      total += s
    }
    const parts = { G, rowSums, total, self: 0 }
    parts.self = unbiasedPair(parts, parts, n)
    return parts
  })
}

/** For symmetric K̃, L̃: Σ K̃_ij L̃_ji = Σ_{i≠j} K_ij L_ij and Σ(K̃L̃) = Σ_l rowsum(K̃)_l · rowsum(L̃)_l. */
function unbiasedPair(a: UnbiasedParts, b: UnbiasedParts, n: number): number {
  let cross = 0
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i) cross += a.G[i * n + j]! * b.G[i * n + j]!
  let sumKL = 0
  for (let l = 0; l < n; l++) sumKL += a.rowSums[l]! * b.rowSums[l]!
  return hsicUnbiasedFromParts(n, cross, a.total, b.total, sumKL)
}

export async function unbiasedCka(a: LayerView, b: LayerView, signal?: AbortSignal) {
  const pa = await unbiasedParts(a, signal)
  const pb = await unbiasedParts(b, signal)
  return ckaRatio(unbiasedPair(pa, pb, a.n), pa.self, pb.self)
}
