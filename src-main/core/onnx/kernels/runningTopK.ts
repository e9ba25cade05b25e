/**
 * For each of `n` rows, the best `k` (score, index) candidates seen so far, kept sorted by score
 * descending and, for equal scores, by index ascending — the order of a stable descending argsort,
 * which is what the float64 reference produces. Candidates may arrive in any order; each (row, index)
 * pair must be offered at most once.
 */
export class RunningTopK {
  readonly vals: Float32Array
  readonly idx: Int32Array
  private readonly count: Int32Array
  /**
   * Score of the current k-th candidate per row, -Infinity until k are held. A candidate with a lower
   * score can never enter, so hot loops test `v >= thr[i]` before calling `offer`.
   */
  readonly thr: Float32Array

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.vals = new Float32Array(n * k)
    this.idx = new Int32Array(n * k)
    this.count = new Int32Array(n)
    this.thr = new Float32Array(n).fill(-Infinity)
  }

  offer(i: number, v: number, j: number): void {
    const k = this.k
    const vals = this.vals
    const idx = this.idx
    const base = i * k
    let p = this.count[i]!
    if (p < k) {
      this.count[i] = p + 1
    } else {
      const lv = vals[base + k - 1]!
      if (v < lv || (v === lv && j > idx[base + k - 1]!)) return
      p = k - 1
    }
    while (p > 0) {
      const pv = vals[base + p - 1]!
      if (pv > v || (pv === v && idx[base + p - 1]! < j)) break
      vals[base + p] = pv
      idx[base + p] = idx[base + p - 1]!
      p--
    }
    vals[base + p] = v
    idx[base + p] = j
    if (this.count[i] === k) this.thr[i] = vals[base + k - 1]!
  }

  /** True when every row holds k candidates. */
  full(): boolean {
    for (let i = 0; i < this.n; i++) if (this.count[i]! < this.k) return false
    return true
  }
}
