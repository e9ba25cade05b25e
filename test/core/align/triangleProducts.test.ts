import { describe, expect, it } from 'vitest'
import { innerProductsF64 } from '../../../src-main/core/align/innerProducts'
import { TriangleProducts } from '../../../src-main/core/align/triangleProducts'
import { mulberry32, permutation } from '../../../src-main/common/random'

/** A random symmetric n x n matrix. */
function symmetric(n: number, rnd: () => number): Float64Array {
  const K = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) K[i * n + j] = K[j * n + i] = rnd() - 0.5
  return K
}

/** Σ_{r, s} K_A[r, s] K_B[π_r, π_s] over the full matrices (with the diagonal when `withDiag`), the definition itself. */
function direct(KA: Float64Array, KB: Float64Array, perm: Int32Array, n: number, withDiag: boolean): number {
  let s = 0
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (withDiag || r !== c) s += KA[r * n + c]! * KB[perm[r]! * n + perm[c]!]!
  return s
}

describe('TriangleProducts (chunked, batched relabelled kernel inner products)', () => {
  const gemm = (X: Float64Array, m: number, Y: Float64Array, rows: number, d: number) => Promise.resolve(innerProductsF64(X, m, Y, rows, d))

  for (const strict of [false, true]) {
    it(`equals ⟨K_A, P K_B Pᵀ⟩ over ${strict ? 'the off-diagonal' : 'the whole'} kernel for every pair and permutation, across chunk and batch sizes`, async () => {
      const rnd = mulberry32(11)
      const n = 13
      const A = [symmetric(n, rnd), symmetric(n, rnd), symmetric(n, rnd)]
      const B = [symmetric(n, rnd), symmetric(n, rnd)]
      const perms = Array.from({ length: 5 }, () => permutation(rnd, n))
      perms.push(Int32Array.from({ length: n }, (_, i) => i))
      const rowA = (i: number, r: number, dest: Float64Array, off: number) => {
        const K = A[i]!
        let o = off
        if (!strict) dest[o++] = K[r * n + r]!
        for (let s = r + 1; s < n; s++) dest[o++] = 2 * K[r * n + s]!
      }
      // Chunks from one row (entries 1) to the whole triangle; batches of 1, 4 and all permutations.
      for (const chunk of [1, 7, 30, 1000]) {
        const tp = new TriangleProducts(n, strict, A.length, B, rowA, gemm, chunk)
        for (const size of [1, 4, perms.length]) {
          for (let k0 = 0; k0 < perms.length; k0 += size) {
            const batch = perms.slice(k0, k0 + size)
            const got = await tp.products(batch)
            expect(got).toHaveLength(batch.length)
            batch.forEach((perm, p) => {
              for (let i = 0; i < A.length; i++) {
                for (let j = 0; j < B.length; j++) expect(got[p]![i * B.length + j], `chunk ${chunk}, batch ${size}, perm ${k0 + p}, pair ${i},${j}`).toBeCloseTo(direct(A[i]!, B[j]!, perm, n, !strict), 12)
              }
            })
          }
        }
      }
    })
  }
})
