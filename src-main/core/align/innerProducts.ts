/**
 * S = X Yᵀ (S_ab = Σ_t X[a, t] Y[b, t]) for X [m, d], Y [n, d] row-major, float64, blocked over t
 * so the m + n row blocks stay in cache while every pair is summed. The TypeScript fallback of
 * `KernelBackend.innerProducts`.
 */
export function innerProductsF64(X: Float64Array, m: number, Y: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(m * n)
  const BLOCK = 2048
  for (let s = 0; s < d; s += BLOCK) {
    const e = Math.min(d, s + BLOCK)
    for (let a = 0; a < m; a++) {
      const oa = a * d
      for (let b = 0; b < n; b++) {
        const ob = b * d
        let s0 = 0
        let s1 = 0
        let t = s
        for (; t + 1 < e; t += 2) {
          s0 += X[oa + t]! * Y[ob + t]!
          s1 += X[oa + t + 1]! * Y[ob + t + 1]!
        }
        if (t < e) s0 += X[oa + t]! * Y[ob + t]!
        out[a * n + b]! += s0 + s1
      }
    }
  }
  return out
}
