import { describe, expect, it } from 'vitest'
import { symEig } from '../../../src-main/core/align/symEig'
import { meanPrincipalCosine, topLeftSingularVectors, zScore } from '../../../src-main/core/align/svcca'
import { gaussian, matmul } from './helpers'

describe('symEig (tred2 + tql2)', () => {
  it('reconstructs A·V = V·Λ with orthonormal V and ascending eigenvalues', () => {
    for (const n of [1, 2, 5, 30]) {
      const G = gaussian(n, n, n)
      const A = new Float64Array(n * n)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = G.data[i * n + j]! + G.data[j * n + i]!
      const { values, vectors: V } = symEig(A, n)
      for (let t = 1; t < n; t++) expect(values[t]!).toBeGreaterThanOrEqual(values[t - 1]!)
      for (let c = 0; c < n; c++) {
        for (let i = 0; i < n; i++) {
          let av = 0
          for (let j = 0; j < n; j++) av += A[i * n + j]! * V[j * n + c]!
          expect(av).toBeCloseTo(values[c]! * V[i * n + c]!, 10)
        }
        for (let d = 0; d < n; d++) {
          let dot = 0
          for (let i = 0; i < n; i++) dot += V[i * n + c]! * V[i * n + d]!
          expect(dot).toBeCloseTo(c === d ? 1 : 0, 12)
        }
      }
    }
  })

  it('known spectrum: [[2,1],[1,2]] has eigenvalues 1 and 3', () => {
    const { values } = symEig(Float64Array.from([2, 1, 1, 2]), 2)
    expect(values[0]).toBeCloseTo(1, 14)
    expect(values[1]).toBeCloseTo(3, 14)
  })
})

describe('svcca pieces', () => {
  it('both Gram routes (N ≤ D and N > D) give the same subspace', () => {
    const X = zScore(gaussian(14, 30, 1))
    const wide = topLeftSingularVectors(X, 10)
    const Y = zScore(gaussian(40, 12, 2))
    const tall = topLeftSingularVectors(Y, 10)
    expect(wide.r).toBe(10)
    expect(tall.r).toBe(10)
    expect(meanPrincipalCosine(wide.U, 10, wide.U, 10, 14)).toBeCloseTo(1, 10)
    // U columns are orthonormal
    for (let p = 0; p < 10; p++) {
      let s = 0
      for (let i = 0; i < 40; i++) s += tall.U[i * 10 + p]! ** 2
      expect(s).toBeCloseTo(1, 10)
    }
  })

  it('rank below 10 keeps only the meaningful directions; a constant matrix has rank 0', () => {
    const X = zScore(matmul(gaussian(30, 3, 3), gaussian(3, 20, 4)))
    expect(topLeftSingularVectors(X, 10).r).toBe(3)
    const C = zScore({ data: new Float64Array(10 * 4).fill(2), rows: 10, cols: 4 })
    expect(Array.from(C.data).every((v) => v === 0)).toBe(true)
    expect(topLeftSingularVectors(C, 10).r).toBe(0)
  })
})
