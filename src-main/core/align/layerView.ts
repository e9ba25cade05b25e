import type { Mat } from '../../common/matrix'
import type { KernelBackend } from './backend'
import { topKInto } from './topk'

/**
 * One prepared feature matrix as the metrics see it, with per-layer statistics computed once and
 * memoised (neighbour lists, Gram, centred Gram, SVD, ...) so that a layer search over L_A x L_B
 * pairs does L_A + L_B units of per-layer work instead of 2·L_A·L_B (the official code recomputes
 * per pair). Metric modules store their own per-layer statistics through `memo`.
 */
export interface LayerView {
  readonly n: number
  /** Human-readable name for messages, e.g. "a.npy layer 3". */
  readonly label: string
  /** The prepared features, [N, D] (gathered rows for a resampled view). */
  features(): Mat
  /** Top-k neighbours by inner product, self (and, for resamples, copies of self) excluded. */
  knn(k: number, signal?: AbortSignal): Promise<Int32Array>
  /** Inner-product Gram matrix, N x N. */
  gram(signal?: AbortSignal): Promise<Float64Array>
  /** F_i . F_j in float64. */
  dot(i: number, j: number): number
  /** True when every row is identical (e.g. a ViT's layer-0 CLS token): every metric is undefined. */
  isConstant(): boolean
  memo<T>(key: string, make: () => Promise<T>): Promise<T>
  /** Drops memoised statistics (memory pressure). */
  clear(): void
}

abstract class MemoView {
  private cache = new Map<string, Promise<unknown>>()
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined
    if (!p) {
      p = make()
      this.cache.set(key, p)
      // A failed computation (e.g. cancelled) must not poison the cache.
      p.catch(() => this.cache.delete(key))
    }
    return p
  }
  clear(): void {
    this.cache.clear()
  }
}

/** A full prepared layer; heavy kernels go to the backend. */
export class FullLayer extends MemoView implements LayerView {
  readonly n: number
  private constantFlag: boolean | null = null
  constructor(
    readonly F: Mat,
    readonly label: string,
    private backend: KernelBackend,
  ) {
    super()
    this.n = F.rows
  }
  features(): Mat {
    return this.F
  }
  knn(k: number, signal?: AbortSignal): Promise<Int32Array> {
    return this.memo(`knn:${k}`, () => this.backend.knn(this.F, k, signal))
  }
  gram(signal?: AbortSignal): Promise<Float64Array> {
    return this.memo('gram', () => this.backend.gram(this.F, signal))
  }
  dot(i: number, j: number): number {
    const d = this.F.cols
    const x = this.F.data
    let s = 0
    for (let c = 0; c < d; c++) s += x[i * d + c]! * x[j * d + c]!
    return s
  }
  isConstant(): boolean {
    if (this.constantFlag === null) this.constantFlag = rowsAllEqual(this.F)
    return this.constantFlag
  }
}

/**
 * Items drawn from a full layer: position p holds item src[p]. Used for permutation nulls
 * (src a permutation) and bootstrap resamples (src drawn with replacement).
 *
 * Duplicate scheme for bootstrap resamples: a position q is never a neighbour of position p when
 * src[q] === src[p] — an item drawn twice is not its own neighbour, exactly as self is excluded
 * in the full data. Among the remaining positions, ties keep ascending position order.
 * For permutations (no duplicates) the neighbour lists are the full layer's lists relabelled,
 * which needs no Gram and so works at any N.
 */
export class ResampledLayer extends MemoView implements LayerView {
  readonly n: number
  readonly label: string
  private inverse: Int32Array | null = null
  constructor(
    private base: LayerView,
    private src: Int32Array,
    distinct: boolean,
  ) {
    super()
    this.n = src.length
    this.label = `${base.label} (resampled)`
    if (distinct) {
      this.inverse = new Int32Array(base.n)
      for (let p = 0; p < src.length; p++) this.inverse[src[p]!] = p
    }
  }
  features(): Mat {
    const F = this.base.features()
    const d = F.cols
    const out = new Float64Array(this.n * d)
    for (let p = 0; p < this.n; p++) out.set(F.data.subarray(this.src[p]! * d, (this.src[p]! + 1) * d), p * d)
    return { data: out, rows: this.n, cols: d }
  }
  knn(k: number, signal?: AbortSignal): Promise<Int32Array> {
    return this.memo(`knn:${k}`, async () => {
      const n = this.n
      const src = this.src
      const out = new Int32Array(n * k)
      if (this.inverse) {
        const baseKnn = await this.base.knn(k, signal)
        const inv = this.inverse
        for (let p = 0; p < n; p++) for (let t = 0; t < k; t++) out[p * k + t] = inv[baseKnn[src[p]! * k + t]!]!
        return out
      }
      const G = await this.base.gram(signal)
      const N0 = this.base.n
      const scratch = new Float64Array(k)
      for (let p = 0; p < n; p++) {
        const sp = src[p]!
        const found = topKInto(n, k, (q) => G[sp * N0 + src[q]!]!, (q) => src[q] === sp, out, p * k, scratch)
        // Fewer than k distinct other items drawn: pad with -1, which matches no item.
        for (let t = found; t < k; t++) out[p * k + t] = -1
      }
      return out
    })
  }
  gram(signal?: AbortSignal): Promise<Float64Array> {
    return this.memo('gram', async () => {
      const G = await this.base.gram(signal)
      const N0 = this.base.n
      const n = this.n
      const out = new Float64Array(n * n)
      for (let p = 0; p < n; p++) {
        const row = this.src[p]! * N0
        for (let q = 0; q < n; q++) out[p * n + q] = G[row + this.src[q]!]!
      }
      return out
    })
  }
  dot(i: number, j: number): number {
    return this.base.dot(this.src[i]!, this.src[j]!)
  }
  isConstant(): boolean {
    return this.base.isConstant()
  }
}

function rowsAllEqual(F: Mat): boolean {
  const d = F.cols
  for (let i = 1; i < F.rows; i++) for (let c = 0; c < d; c++) if (F.data[i * d + c] !== F.data[c]) return false
  return true
}
