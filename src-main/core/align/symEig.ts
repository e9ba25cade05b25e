/**
 * Eigen-decomposition of a real symmetric matrix in float64: Householder tridiagonalisation
 * (tred2) followed by the implicit QL algorithm (tql2). Deterministic, no dependency.
 * Source: the public-domain JAMA library (NIST/MathWorks), itself from the EISPACK routines tred2
 * and tql2 (Wilkinson & Reinsch, Handbook for Automatic Computation, vol. II, 1971); the same
 * algorithm as ml-matrix's EigenvalueDecomposition.
 *
 * @param A row-major n x n symmetric matrix (not modified)
 * @returns eigenvalues ascending, and V row-major n x n whose column j is the unit eigenvector of
 *          values[j]: A·V[:, j] = values[j]·V[:, j].
 */
export function symEig(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = Float64Array.from(A)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  if (n === 0) return { values: d, vectors: V }
  tred2(n, V, d, e)
  // tql2 rotates pairs of eigenvector columns across all rows; on the transpose those are two
  // contiguous rows, which is several times faster for large n (cache-friendly).
  const Vt = transpose(V, n)
  tql2(n, Vt, d, e)
  return { values: d, vectors: transpose(Vt, n) }
}

function tred2(n: number, V: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!
  for (let i = n - 1; i > 0; i--) {
    let scale = 0
    let h = 0
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!)
    if (scale === 0) {
      e[i] = d[i - 1]!
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!
        V[i * n + j] = 0
        V[j * n + i] = 0
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale
        h += d[k]! * d[k]!
      }
      let f = d[i - 1]!
      let g = Math.sqrt(h)
      if (f > 0) g = -g
      e[i] = scale * g
      h -= f * g
      d[i - 1] = f - g
      for (let j = 0; j < i; j++) e[j] = 0
      for (let j = 0; j < i; j++) {
        f = d[j]!
        V[j * n + i] = f
        g = e[j]! + V[j * n + j]! * f
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!
          e[k] = e[k]! + V[k * n + j]! * f
        }
        e[j] = g
      }
      f = 0
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h
        f += e[j]! * d[j]!
      }
      const hh = f / (h + h)
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!
      for (let j = 0; j < i; j++) {
        f = d[j]!
        g = e[j]!
        for (let k = j; k <= i - 1; k++) V[k * n + j] = V[k * n + j]! - (f * e[k]! + g * d[k]!)
        d[j] = V[(i - 1) * n + j]!
        V[i * n + j] = 0
      }
    }
    d[i] = h
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!
    V[i * n + i] = 1
    const h = d[i + 1]!
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h
      for (let j = 0; j <= i; j++) {
        let g = 0
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!
        for (let k = 0; k <= i; k++) V[k * n + j] = V[k * n + j]! - g * d[k]!
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!
    V[(n - 1) * n + j] = 0
  }
  V[(n - 1) * n + n - 1] = 1
  e[0] = 0
}

/** QL on the tridiagonal (d, e); `Vt` holds the transformation transposed (row j = column j). */
function tql2(n: number, Vt: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!
  e[n - 1] = 0
  let f = 0
  let tst1 = 0
  const eps = 2 ** -52
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!))
    let m = l
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break
      m++
    }
    if (m > l) {
      let iter = 0
      do {
        if (++iter > 1000) throw new Error('symEig: QL iteration did not converge')
        let g = d[l]!
        let p = (d[l + 1]! - g) / (2 * e[l]!)
        let r = Math.hypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l]! / (p + r)
        d[l + 1] = e[l]! * (p + r)
        const dl1 = d[l + 1]!
        let h = g - d[l]!
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h
        f += h
        p = d[m]!
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]!
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]!
          h = c * p
          r = Math.hypot(p, e[i]!)
          e[i + 1] = s * r
          s = e[i]! / r
          c = p / r
          p = c * d[i]! - s * g
          d[i + 1] = h + s * (c * g + s * d[i]!)
          const r0 = i * n
          const r1 = (i + 1) * n
          for (let k = 0; k < n; k++) {
            h = Vt[r1 + k]!
            Vt[r1 + k] = s * Vt[r0 + k]! + c * h
            Vt[r0 + k] = c * Vt[r0 + k]! - s * h
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1
        e[l] = s * p
        d[l] = c * p
      } while (Math.abs(e[l]!) > eps * tst1)
    }
    d[l] = d[l]! + f
    e[l] = 0
  }
  // Sort eigenvalues ascending, with their vectors.
  for (let i = 0; i < n - 1; i++) {
    let k = i
    let p = d[i]!
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j
        p = d[j]!
      }
    }
    if (k !== i) {
      d[k] = d[i]!
      d[i] = p
      for (let j = 0; j < n; j++) {
        const t = Vt[i * n + j]!
        Vt[i * n + j] = Vt[k * n + j]!
        Vt[k * n + j] = t
      }
    }
  }
}

function transpose(M: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = M[i * n + j]!
  return out
}
