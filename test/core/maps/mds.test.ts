import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classicalMds, euclideanDistances, symmetricEigen } from '../../../src-main/core/maps/mds'
import { reference, toMat } from '../colour/reference'

function gaussianish(seed: number, n: number): Float64Array {
  // Deterministic, well-spread values without a library RNG.
  let s = seed >>> 0
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32 - 0.5
  })
}

describe('symmetricEigen (Jacobi)', () => {
  it('reconstructs A = V Λ Vᵀ with orthonormal V, eigenvalues descending', () => {
    const n = 7
    const r = gaussianish(3, n * n)
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j]! + r[j * n + i]!
    const { values, vectors } = symmetricEigen(a, n)
    for (let j = 1; j < n; j++) expect(values[j]).toBeLessThanOrEqual(values[j - 1]!)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0
        let dot = 0
        for (let k = 0; k < n; k++) {
          rec += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!
          dot += vectors[k * n + i]! * vectors[k * n + j]!
        }
        expect(Math.abs(rec - a[i * n + j]!)).toBeLessThan(1e-12)
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12)
      }
    }
  })

  it('handles diagonal, repeated and 1x1 matrices', () => {
    expect(Array.from(symmetricEigen(Float64Array.of(2, 0, 0, 5), 2).values)).toEqual([5, 2])
    const rep = symmetricEigen(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3)
    expect(Array.from(rep.values)).toEqual([1, 1, 1])
    expect(Array.from(symmetricEigen(Float64Array.of(-4), 1).values)).toEqual([-4])
    expect(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2)).toThrow(/finite/)
  })
})

describe('classicalMds', () => {
  it('recovers a 3-D configuration up to rotation: distances are preserved exactly', () => {
    const x = { data: gaussianish(11, 12 * 3), rows: 12, cols: 3 }
    const d = euclideanDistances(x)
    const r = classicalMds(d, 3)
    const e = euclideanDistances(r.coords)
    for (let i = 0; i < d.data.length; i++) expect(Math.abs(e.data[i]! - d.data[i]!)).toBeLessThan(1e-10)
    expect(r.stress).toBeLessThan(1e-10)
    expect(r.explained).toBeCloseTo(1, 10)
    // Rank 3: every eigenvalue past the third is zero up to round-off.
    for (let j = 3; j < 12; j++) expect(Math.abs(r.eigenvalues[j]!)).toBeLessThan(1e-10)
  })

  it('matches numpy eigh on a non-Euclidean (city-block) distance matrix, clipping negative eigenvalues', () => {
    const d = toMat(reference.mds.d)
    const r = classicalMds(d, 3)
    reference.mds.eigenvalues.forEach((w, j) => expect(Math.abs(r.eigenvalues[j]! - w)).toBeLessThan(1e-9))
    // Coordinates are defined up to sign per axis; their Gram matrix X Xᵀ is not.
    const n = d.rows
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let g = 0
        for (let c = 0; c < 3; c++) g += r.coords.data[i * 3 + c]! * r.coords.data[j * 3 + c]!
        expect(Math.abs(g - reference.mds.gram3[i]![j]!)).toBeLessThan(1e-9)
      }
    }
    expect(r.eigenvalues[n - 1]).toBeLessThan(0)
    expect(r.stress).toBeGreaterThan(0)
  })

  it('gives zero columns for dimensions beyond the data rank and for k > n', () => {
    // Four points on a line: one positive eigenvalue.
    const x = { data: Float64Array.of(0, 1, 3, 7), rows: 4, cols: 1 }
    const r = classicalMds(euclideanDistances(x), 3)
    for (let i = 0; i < 4; i++) {
      expect(r.coords.data[i * 3 + 1]).toBe(0)
      expect(r.coords.data[i * 3 + 2]).toBe(0)
    }
    const two = classicalMds({ data: Float64Array.of(0, 2, 2, 0), rows: 2, cols: 2 }, 3)
    expect(Math.abs(two.coords.data[0]! - two.coords.data[3]!)).toBeCloseTo(2, 12)
    const zero = classicalMds({ data: new Float64Array(9), rows: 3, cols: 3 }, 2)
    expect(Array.from(zero.coords.data)).toEqual([0, 0, 0, 0, 0, 0])
    expect(zero.stress).toBe(0)
  })

  it('rejects non-square, negative and non-finite distances', () => {
    expect(() => classicalMds({ data: new Float64Array(6), rows: 2, cols: 3 })).toThrow(/square/)
    expect(() => classicalMds({ data: Float64Array.of(0, -1, -1, 0), rows: 2, cols: 2 })).toThrow(/non-negative/)
    expect(() => classicalMds({ data: Float64Array.of(0, NaN, NaN, 0), rows: 2, cols: 2 })).toThrow(/finite/)
  })

  it('property: MDS of any Euclidean configuration preserves its distances', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 3, maxLength: 10 }), (pts) => {
        const x = { data: Float64Array.from(pts.flat()), rows: pts.length, cols: 2 }
        const d = euclideanDistances(x)
        const e = euclideanDistances(classicalMds(d, 2).coords)
        let scale = 1
        for (const v of d.data) scale = Math.max(scale, v)
        for (let i = 0; i < d.data.length; i++) expect(Math.abs(e.data[i]! - d.data[i]!)).toBeLessThan(1e-6 * scale)
      }),
      { numRuns: 60, seed: 7 },
    )
  })
})
