import { describe, expect, it } from 'vitest'
import { cycleKnn, editDistanceKnn, lcsKnn, lcsLength, levenshtein, mutualKnn } from '../../../src-main/core/align/knnMetrics'

const I = (xs: number[]) => Int32Array.from(xs)

describe('kNN metrics on hand-made neighbour lists', () => {
  // N = 4, k = 2
  const A = I([1, 2, 0, 2, 3, 1, 2, 0])
  const B = I([2, 1, 3, 2, 0, 1, 2, 1])

  it('mutual_knn: mean overlap / k', () => {
    // overlaps: {1,2}∩{2,1}=2, {0,2}∩{3,2}=1, {3,1}∩{0,1}=1, {2,0}∩{2,1}=1
    expect(mutualKnn(A, B, 4, 2)).toBeCloseTo((2 + 1 + 1 + 1) / 2 / 4, 15)
    expect(mutualKnn(A, A, 4, 2)).toBe(1)
  })

  it('cycle_knn: some j in N_B(i) with i in N_A(j); asymmetric', () => {
    // i=0: N_B={2,1}: N_A(2)={3,1} no, N_A(1)={0,2} yes -> 1
    // i=1: N_B={3,2}: N_A(3)={2,0} no, N_A(2)={3,1} yes -> 1
    // i=2: N_B={0,1}: N_A(0)={1,2} yes -> 1
    // i=3: N_B={2,1}: N_A(2)={3,1} yes -> 1
    expect(cycleKnn(A, B, 4, 2)).toBe(1)
    const A2 = I([1, 2, 0, 2, 0, 1, 0, 1])
    // i=3: N_B(3)={2,1}; N_A(2)={0,1}, N_A(1)={0,2}: no -> 3/4
    expect(cycleKnn(A2, B, 4, 2)).toBe(0.75)
  })

  it('LCS and Levenshtein on known strings', () => {
    // "ABCBDAB" vs "BDCABA": LCS 4 (classic CLRS example), padded to equal length k = 7
    const x = I([1, 2, 3, 2, 4, 1, 2])
    const y = I([2, 4, 3, 1, 2, 1, 9])
    expect(lcsLength(x, y, 0, 7)).toBe(4)
    // kitten -> sitting needs 3 edits; here equal-length "kitten" vs "sittin"
    const k1 = I([11, 9, 20, 20, 5, 14])
    const k2 = I([19, 9, 20, 20, 9, 14])
    expect(levenshtein(k1, k2, 0, 6)).toBe(2)
    expect(levenshtein(I([1, 2, 3]), I([3, 1, 2]), 0, 3)).toBe(2)
    expect(levenshtein(I([-1, -1]), I([-1, -1]), 0, 2)).toBe(2) // padding never matches
  })

  it('lcs_knn is normalised to [0, 1]; edit_distance_knn = 1 − mean distance / k', () => {
    expect(lcsKnn(A, A, 4, 2)).toBe(1)
    expect(editDistanceKnn(A, A, 4, 2)).toBe(1)
    // rows: [1,2]/[2,1] lcs 1 ed 2; [0,2]/[3,2] lcs 1 ed 1; [3,1]/[0,1] lcs 1 ed 1; [2,0]/[2,1] lcs 1 ed 1
    expect(lcsKnn(A, B, 4, 2)).toBe(0.5)
    expect(editDistanceKnn(A, B, 4, 2)).toBeCloseTo(1 - 5 / 4 / 2, 15)
  })
})
