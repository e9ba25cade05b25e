import { describe, expect, it } from 'vitest'
import { largestRemainderQuotas, sampleIndices, takeRows } from '../../../src-main/core/maps/sampling'

const isSortedUnique = (a: Int32Array): boolean => a.every((v, i) => i === 0 || v > a[i - 1]!)

describe('sampleIndices', () => {
  it('all: every item in order', () => {
    expect(Array.from(sampleIndices(5, { mode: 'all', seed: 1 }))).toEqual([0, 1, 2, 3, 4])
    expect(sampleIndices(0, { mode: 'all', seed: 1 }).length).toBe(0)
  })

  it('random: requested size, sorted, unique, in range, reproducible by seed', () => {
    const a = sampleIndices(1000, { mode: 'random', size: 100, seed: 42 })
    expect(a.length).toBe(100)
    expect(isSortedUnique(a)).toBe(true)
    expect(a[0]!).toBeGreaterThanOrEqual(0)
    expect(a[99]!).toBeLessThan(1000)
    expect(Array.from(sampleIndices(1000, { mode: 'random', size: 100, seed: 42 }))).toEqual(Array.from(a))
    expect(Array.from(sampleIndices(1000, { mode: 'random', size: 100, seed: 43 }))).not.toEqual(Array.from(a))
  })

  it('random: is not the first N and covers the whole range', () => {
    const a = sampleIndices(10_000, { mode: 'random', size: 500, seed: 3 })
    expect(Array.from(a)).not.toEqual(Array.from({ length: 500 }, (_, i) => i))
    // A uniform sample of 500 from 10,000: about 250 in each half (binomial sd ≈ 11).
    const lowHalf = Array.from(a).filter((i) => i < 5000).length
    expect(lowHalf).toBeGreaterThan(200)
    expect(lowHalf).toBeLessThan(300)
    expect(a[a.length - 1]!).toBeGreaterThan(9000)
  })

  it('random: every item equally likely (chi-square over many seeds)', () => {
    const n = 20
    const counts = new Array<number>(n).fill(0)
    const draws = 2000
    for (let s = 0; s < draws; s++) for (const i of sampleIndices(n, { mode: 'random', size: 5, seed: s })) counts[i]!++
    const expected = (draws * 5) / n
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0)
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
    expect(chi2).toBeLessThan(43.8)
  })

  it('size ≥ n gives every item', () => {
    expect(Array.from(sampleIndices(4, { mode: 'random', size: 10, seed: 1 }))).toEqual([0, 1, 2, 3])
    expect(Array.from(sampleIndices(3, { mode: 'stratified', size: 3, seed: 1, strata: ['a', 'b', 'a'] }))).toEqual([0, 1, 2])
  })

  it('stratified: keeps class proportions by largest remainder', () => {
    // 600 a, 300 b, 100 c (interleaved so order cannot help); size 100 → exactly 60/30/10.
    const strata = Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 'a' : i % 10 < 9 ? 'b' : 'c'))
    const s = sampleIndices(1000, { mode: 'stratified', size: 100, seed: 9, strata })
    expect(s.length).toBe(100)
    expect(isSortedUnique(s)).toBe(true)
    const count = (l: string): number => Array.from(s).filter((i) => strata[i] === l).length
    expect([count('a'), count('b'), count('c')]).toEqual([60, 30, 10])
    expect(Array.from(sampleIndices(1000, { mode: 'stratified', size: 100, seed: 9, strata }))).toEqual(Array.from(s))
  })

  it('stratified: remainders go to the largest fractional parts; small strata are not dropped wrongly', () => {
    // counts 5, 3, 2 of 10, size 4 → exact 2.0, 1.2, 0.8 → floors 2, 1, 0, one seat left → c (0.8).
    expect(largestRemainderQuotas([5, 3, 2], 4)).toEqual([2, 1, 1])
    // Equal fractional parts: the larger stratum wins, then label order.
    expect(largestRemainderQuotas([3, 3, 2], 4, ['b', 'a', 'c'])).toEqual([1, 2, 1])
    // Quotas sum to size and never exceed a stratum.
    const counts = [7, 1, 1, 1, 13]
    for (let size = 1; size <= 23; size++) {
      const q = largestRemainderQuotas(counts, size)
      expect(q.reduce((a, b) => a + b, 0)).toBe(size)
      q.forEach((v, s) => expect(v).toBeLessThanOrEqual(counts[s]!))
    }
  })

  it('rejects bad input with BAD_INPUT', () => {
    const bad = (fn: () => unknown): void => expect(fn).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
    bad(() => sampleIndices(10, { mode: 'random', seed: 1 }))
    bad(() => sampleIndices(10, { mode: 'random', size: 0, seed: 1 }))
    bad(() => sampleIndices(10, { mode: 'random', size: 2.5, seed: 1 }))
    bad(() => sampleIndices(10, { mode: 'stratified', size: 3, seed: 1 }))
    bad(() => sampleIndices(10, { mode: 'stratified', size: 3, seed: 1, strata: ['a'] }))
    bad(() => sampleIndices(10, { mode: 'first' as 'all', seed: 1 }))
    bad(() => sampleIndices(10, { mode: 'random', size: 3, seed: Number.NaN }))
  })
})

describe('takeRows', () => {
  it('copies the chosen rows in order and keeps the element type', () => {
    const F = { data: Float32Array.from([0, 1, 10, 11, 20, 21]), rows: 3, cols: 2 }
    const sub = takeRows(F, Int32Array.from([2, 0]))
    expect(sub.data).toBeInstanceOf(Float32Array)
    expect(Array.from(sub.data)).toEqual([20, 21, 0, 1])
    expect([sub.rows, sub.cols]).toEqual([2, 2])
    expect(() => takeRows(F, [3])).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }))
  })
})
