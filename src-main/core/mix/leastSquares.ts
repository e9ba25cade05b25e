import type { Mat } from '../../common/matrix'

export interface LeastSquares {
  /** Solution b minimising ‖A b − z‖₂ (length p). Undefined entries never occur: check `fullRank` first. */
  coef: Float64Array
  fullRank: boolean
  /** Upper-triangular R (p × p, row-major) of A = Q R. */
  r: Float64Array
  p: number
  residuals: Float64Array
  /** Hat-matrix diagonal h_ii = a_iᵀ (AᵀA)⁻¹ a_i = ‖R⁻ᵀ a_i‖², the leverage of each row. */
  leverage: Float64Array
}

/** Relative size of a diagonal entry of R below which a column counts as dependent on the others. */
const RANK_TOL = 1e-10

/**
 * Linear least squares by Householder QR (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 5.2.1
 * and §5.3.3): A = QR, then R b = Qᵀz by back substitution. Avoids forming AᵀA, whose condition number
 * is the square of A's — the reason to prefer it for polynomial designs. Float64 throughout.
 * A is n × p row-major with n ≥ p.
 */
export function leastSquaresQR(a: Mat, z: ArrayLike<number>): LeastSquares {
  const n = a.rows
  const p = a.cols
  if (n < p) throw new Error(`leastSquaresQR: ${n} rows < ${p} columns`)
  const w = Float64Array.from(a.data)
  const qtz = Float64Array.from(z)
  const v = new Float64Array(n)
  for (let k = 0; k < p; k++) {
    let norm = 0
    for (let i = k; i < n; i++) norm += w[i * p + k]! ** 2
    norm = Math.sqrt(norm)
    if (norm === 0) continue
    const alpha = w[k * p + k]! > 0 ? -norm : norm
    let vnorm2 = 0
    for (let i = k; i < n; i++) {
      v[i] = w[i * p + k]! - (i === k ? alpha : 0)
      vnorm2 += v[i]! ** 2
    }
    if (vnorm2 === 0) continue
    // Apply H = I − 2 v vᵀ / (vᵀv) to the remaining columns and to z.
    for (let j = k; j < p; j++) {
      let d = 0
      for (let i = k; i < n; i++) d += v[i]! * w[i * p + j]!
      const f = (2 * d) / vnorm2
      for (let i = k; i < n; i++) w[i * p + j] = w[i * p + j]! - f * v[i]!
    }
    let d = 0
    for (let i = k; i < n; i++) d += v[i]! * qtz[i]!
    const f = (2 * d) / vnorm2
    for (let i = k; i < n; i++) qtz[i] = qtz[i]! - f * v[i]!
  }
  const r = new Float64Array(p * p)
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) r[i * p + j] = w[i * p + j]!
  let maxDiag = 0
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(r[i * p + i]!))
  let fullRank = maxDiag > 0
  for (let i = 0; i < p; i++) if (Math.abs(r[i * p + i]!) <= RANK_TOL * maxDiag) fullRank = false

  const coef = new Float64Array(p)
  const residuals = new Float64Array(n)
  const leverage = new Float64Array(n)
  if (fullRank) {
    for (let i = p - 1; i >= 0; i--) {
      let s = qtz[i]!
      for (let j = i + 1; j < p; j++) s -= r[i * p + j]! * coef[j]!
      coef[i] = s / r[i * p + i]!
    }
    const t = new Float64Array(p)
    for (let row = 0; row < n; row++) {
      let fit = 0
      for (let j = 0; j < p; j++) fit += a.data[row * p + j]! * coef[j]!
      residuals[row] = z[row]! - fit
      // Forward substitution Rᵀ t = a_row; leverage = ‖t‖².
      let h = 0
      for (let i = 0; i < p; i++) {
        let s = a.data[row * p + i]!
        for (let j = 0; j < i; j++) s -= r[j * p + i]! * t[j]!
        t[i] = s / r[i * p + i]!
        h += t[i]! * t[i]!
      }
      leverage[row] = h
    }
  }
  return { coef, fullRank, r, p, residuals, leverage }
}
