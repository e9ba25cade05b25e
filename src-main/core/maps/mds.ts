import { centreGram } from '../align/cka'
import { symEig } from '../align/symEig'
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
 * Eigenvalues and eigenvectors of a symmetric n × n matrix (row-major; only read, never modified), largest
 * eigenvalue first, each eigenvector signed so its largest-magnitude entry is positive (a deterministic
 * choice for plots). The decomposition is the alignment engine's Householder + implicit QL solver
 * (align/symEig.ts, from JAMA/EISPACK tred2/tql2); this adds input checks and the ordering.
 */
export function symmetricEigen(matrix: Float64Array | Float32Array, n: number): SymmetricEigen {
  if (matrix.length !== n * n) throw badInput('symmetricEigen', `expected ${n * n} values for ${n}x${n}, got ${matrix.length}`)
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(matrix[i]!)) throw badInput('symmetricEigen', `entry ${i} is ${matrix[i]}; expected finite numbers`)
  const { values: asc, vectors: vAsc } = symEig(Float64Array.from(matrix), n)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    const src = n - 1 - j
    values[j] = asc[src]!
    let big = 0
    for (let i = 0; i < n; i++) if (Math.abs(vAsc[i * n + src]!) > Math.abs(big)) big = vAsc[i * n + src]!
    const sign = big < 0 ? -1 : 1
    for (let i = 0; i < n; i++) vectors[i * n + j] = sign * vAsc[i * n + src]!
  }
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
  // Double centring: b = −½ H D² H (the same centring as CKA's HKH).
  const b = centreGram(sq, n)
  for (let i = 0; i < b.length; i++) b[i] = -0.5 * b[i]!
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
