import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'

/** Eigen-decomposition of a real symmetric matrix, eigenvalues in descending order. */
export interface SymmetricEigen {
  /** n eigenvalues, largest first. */
  values: Float64Array
  /** n × n row-major; column j is the unit eigenvector of values[j], its largest-magnitude entry positive. */
  vectors: Float64Array
}

/**
 * Eigenvalues and eigenvectors of a symmetric n × n matrix (row-major; only read, never modified) by the
 * cyclic Jacobi method in float64 (Golub & Van Loan, Matrix Computations, 4th ed., §8.5; rotation angle
 * from θ = (a_qq − a_pp) / 2a_pq, t = sgn θ / (|θ| + √(θ² + 1)), as in Numerical Recipes §11.1).
 * Sweeps until the off-diagonal Frobenius norm is below 1e-15 × ‖A‖_F. Cost O(n³) per sweep, a handful
 * of sweeps: meant for the small matrices of MDS on colour terms or 3 × 3 SVD, not for n in the thousands.
 */
export function symmetricEigen(matrix: Float64Array | Float32Array, n: number, maxSweeps = 100): SymmetricEigen {
  if (matrix.length !== n * n) throw badInput('symmetricEigen', `expected ${n * n} values for ${n}x${n}, got ${matrix.length}`)
  const a = Float64Array.from(matrix)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  let total = 0
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i]!)) throw badInput('symmetricEigen', `entry ${i} is ${a[i]}; expected finite numbers`)
    total += a[i]! * a[i]!
  }
  const tol2 = 1e-30 * total
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q]! * a[p * n + q]!
    if (off <= tol2) break
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!
        if (apq === 0) continue
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        // A ← Jᵀ A J with J the (p, q) rotation: columns first, then rows.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!
          const akq = a[k * n + q]!
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!
          const aqk = a[q * n + k]!
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        a[p * n + q] = 0
        a[q * n + p] = 0
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!
          const vkq = v[k * n + q]!
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]! || i - j)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!
    // A deterministic sign: the entry of largest magnitude is made positive.
    let big = 0
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + src]!) > Math.abs(v[big * n + src]!)) big = k
    const sign = v[big * n + src]! < 0 ? -1 : 1
    for (let k = 0; k < n; k++) vectors[k * n + dst] = sign * v[k * n + src]!
  })
  return { values, vectors }
}

/** Euclidean distances between the rows of X: an n × n symmetric matrix with a zero diagonal. */
export function euclideanDistances(x: Mat): Mat {
  const { rows: n, cols: d } = x
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0
      for (let c = 0; c < d; c++) {
        const diff = x.data[i * d + c]! - x.data[j * d + c]!
        s += diff * diff
      }
      out[i * n + j] = out[j * n + i] = Math.sqrt(s)
    }
  }
  return { data: out, rows: n, cols: n }
}

export interface MdsResult {
  /** n × k coordinates (float64); a dimension whose eigenvalue is not positive is all zeros. */
  coords: Mat
  /** All n eigenvalues of B = −½ J D⁽²⁾ J, largest first (negative ones mean D is not Euclidean). */
  eigenvalues: Float64Array
  /** Share of the positive eigenvalue mass kept: Σ_{j<k} max(λ_j, 0) / Σ_j max(λ_j, 0) (1 when all are 0). */
  explained: number
  /**
   * Kruskal's stress-1 of the embedding, √(Σ_{i<j} (d_ij − ‖x_i − x_j‖)² / Σ_{i<j} d_ij²);
   * 0 for a perfect embedding (and when all distances are 0).
   */
  stress: number
}

/**
 * Classical (Torgerson–Gower) multidimensional scaling of an n × n distance matrix to k dimensions
 * (Torgerson 1952; Borg & Groenen, Modern Multidimensional Scaling, 2nd ed., §12.1):
 * B = −½ J D⁽²⁾ J with J = I − 11ᵀ/n and D⁽²⁾ the squared distances; X = V_k Λ_k^½ from the k largest
 * eigenpairs of B. Negative eigenvalues (non-Euclidean input) are clipped to 0, so those dimensions
 * are all zeros. D must be square, finite, non-negative; it is symmetrised as (D + Dᵀ)/2 and the
 * diagonal is ignored. Axis signs follow `symmetricEigen` (deterministic).
 */
export function classicalMds(d: Mat, k = 3, where = 'classicalMds'): MdsResult {
  const n = d.rows
  if (d.cols !== n) throw badInput(where, `distance matrix must be square, got ${d.rows}x${d.cols}`)
  if (n < 1) throw badInput(where, 'distance matrix is empty')
  if (!Number.isInteger(k) || k < 1) throw badInput(where, `dimensions must be a positive integer, got ${k}`)
  const sq = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = d.data[i * n + j]!
      if (!Number.isFinite(x) || x < 0) throw badInput(where, `distance (${i}, ${j}) is ${x}; expected a finite non-negative number`)
      if (i === j) continue
      const s = 0.5 * (x + d.data[j * n + i]!)
      sq[i * n + j] = s * s
    }
  }
  // Double centring: b_ij = −½ (d²_ij − r_i − r_j + g), r = row means, g = grand mean.
  const rowMean = new Float64Array(n)
  let grand = 0
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += sq[i * n + j]!
    rowMean[i] = s / n
    grand += s
  }
  grand /= n * n
  const b = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (sq[i * n + j]! - rowMean[i]! - rowMean[j]! + grand)
  }
  const { values, vectors } = symmetricEigen(b, n)
  const coords = new Float64Array(n * k)
  let kept = 0
  let positive = 0
  for (let j = 0; j < n; j++) positive += Math.max(0, values[j]!)
  for (let j = 0; j < Math.min(k, n); j++) {
    const lambda = values[j]!
    // Clipping at a relative threshold keeps round-off "eigenvalues" of a rank-deficient B from becoming axes.
    if (!(lambda > 1e-12 * Math.max(positive, Number.MIN_VALUE))) continue
    kept += lambda
    const s = Math.sqrt(lambda)
    for (let i = 0; i < n; i++) coords[i * k + j] = vectors[i * n + j]! * s
  }
  const embedded = { data: coords, rows: n, cols: k }
  return { coords: embedded, eigenvalues: values, explained: positive > 0 ? kept / positive : 1, stress: kruskalStress(d, embedded) }
}

function kruskalStress(d: Mat, x: Mat): number {
  const n = d.rows
  const e = euclideanDistances(x)
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dij = 0.5 * (d.data[i * n + j]! + d.data[j * n + i]!)
      num += (dij - e.data[i * n + j]!) ** 2
      den += dij * dij
    }
  }
  return den > 0 ? Math.sqrt(num / den) : 0
}
