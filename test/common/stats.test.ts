import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  binomialTwoSidedP,
  incompleteBeta,
  linearFit,
  mcnemarExact,
  mean,
  pearson,
  quantile,
  rank,
  sd,
  spearman,
  studentTCdf,
  wilsonInterval,
} from '../../src-main/common/stats'
import { FIXTURES } from '../helpers/fixtures'

// Numbers from SciPy 1.10.1; see test/fixtures/eval/make_stats_reference.py.
interface Ref {
  wilson: { k: number; n: number; z: number; lo: number; hi: number }[]
  binom: { k: number; n: number; p: number; pvalue: number }[]
  mcnemar: { b: number; c: number; pvalue: number }[]
  rank: { x: number[]; ranks: number[] }[]
  correlation: {
    x: number[]
    y: number[]
    spearman_rho: number
    spearman_p_t: number
    spearman_p_exact?: number
    spearman_p_scipy_perm?: number
    pearson_r: number
    pearson_p: number
    slope: number
    intercept: number
    r2: number
  }[]
  t_cdf: { t: number; df: number; cdf: number }[]
  quantile: { x: number[]; q: number; value: number }[]
  moments: { x: number[]; mean: number; sd1: number; sd0: number }
}
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'eval', 'stats_reference.json'), 'utf8')) as Ref

const close = (a: number, b: number, tol: number): void => {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol)
}

describe('wilsonInterval', () => {
  it.each(ref.wilson)('matches scipy for $k/$n', ({ k, n, z, lo, hi }) => {
    const [l, h] = wilsonInterval(k, n, z)
    close(l, lo, 1e-12)
    close(h, hi, 1e-12)
  })
  it('defaults to z = 1.96 and matches the closed form by hand', () => {
    // 400/732: p = 0.546448..., hand-evaluated with the formula in the doc comment.
    const n = 732
    const p = 400 / n
    const z = 1.96
    const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
    const hw = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
    const [l, h] = wilsonInterval(400, 732)
    close(l, c - hw, 1e-15)
    close(h, c + hw, 1e-15)
    expect(l).toBeGreaterThan(0.5)
    expect(h).toBeLessThan(0.6)
  })
  it('contains the point estimate and stays in [0,1]', () => {
    for (let n = 1; n <= 40; n++) {
      for (let k = 0; k <= n; k++) {
        const [l, h] = wilsonInterval(k, n)
        expect(l).toBeGreaterThanOrEqual(0)
        expect(h).toBeLessThanOrEqual(1)
        expect(l).toBeLessThanOrEqual(k / n + 1e-15)
        expect(h).toBeGreaterThanOrEqual(k / n - 1e-15)
      }
    }
  })
  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(/n must be a positive integer/)
    expect(() => wilsonInterval(5, 4)).toThrow(/correct must be an integer in \[0, 4\]/)
    expect(() => wilsonInterval(1.5, 4)).toThrow(/correct/)
  })
})

describe('binomialTwoSidedP / mcnemarExact', () => {
  it.each(ref.binom)('binomtest($k, $n, $p)', ({ k, n, p, pvalue }) => {
    close(binomialTwoSidedP(k, n, p), pvalue, 1e-10 + 1e-9 * pvalue)
  })
  it.each(ref.mcnemar)('mcnemar b=$b c=$c', ({ b, c, pvalue }) => {
    close(mcnemarExact(b, c), pvalue, 1e-10 + 1e-9 * pvalue)
  })
  it('is symmetric in b and c and hand-checks small cases', () => {
    expect(mcnemarExact(3, 9)).toBe(mcnemarExact(9, 3))
    // b=0, c=3: 2 * (1/2)^3 = 0.25
    close(mcnemarExact(0, 3), 0.25, 1e-15)
    // b=1, c=4: 2 * (1 + 5)/32 = 0.375
    close(mcnemarExact(1, 4), 0.375, 1e-14)
  })
  it('rejects bad counts', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(/non-negative integers/)
    expect(() => binomialTwoSidedP(4, 3)).toThrow(/k must be an integer/)
  })
})

describe('rank', () => {
  it.each(ref.rank)('average ranks of $x', ({ x, ranks }) => {
    expect(Array.from(rank(x))).toEqual(ranks)
  })
})

describe('correlations and linear fit', () => {
  it.each(ref.correlation.map((c, i) => ({ ...c, i })))('case $i (n=$x.length)', (c) => {
    const s = spearman(c.x, c.y)
    close(s.rho, c.spearman_rho, 1e-12)
    if (c.x.length > 10) close(s.p, c.spearman_p_t, 1e-10)
    else close(s.p, c.spearman_p_exact!, 1e-12)
    const p = pearson(c.x, c.y)
    close(p.r, c.pearson_r, 1e-12)
    close(p.p, c.pearson_p, 1e-9)
    const f = linearFit(c.x, c.y)
    close(f.slope, c.slope, 1e-10)
    close(f.intercept, c.intercept, 1e-10)
    close(f.r2, c.r2, 1e-12)
  })
  it('exact Spearman p equals scipy permutation_test when there are no ties', () => {
    const noTies = ref.correlation.filter((c) => c.spearman_p_scipy_perm !== undefined && new Set(c.x).size === c.x.length && new Set(c.y).size === c.y.length)
    expect(noTies.length).toBeGreaterThanOrEqual(4)
    for (const c of noTies) close(spearman(c.x, c.y).p, c.spearman_p_scipy_perm!, 1e-12)
  })
  it('perfect monotone relation has rho = ±1', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    expect(spearman(x, x.map((v) => v ** 3)).rho).toBe(1)
    expect(spearman(x, x.map((v) => -Math.exp(v))).rho).toBe(-1)
    expect(spearman(x, x.map((v) => -v)).p).toBe(0)
    // exact branch: only the identity and the reversal reach |rho| = 1 among 5! pairings
    close(spearman([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]).p, 2 / 120, 1e-15)
  })
  it('refuses undefined correlations with a clear message', () => {
    expect(() => spearman([1, 1, 1, 1], [1, 2, 3, 4])).toThrow(/x is constant/)
    expect(() => pearson([1, 2, 3], [2, 2, 2])).toThrow(/y is constant/)
    expect(() => spearman([1, 2], [1, 2])).toThrow(/at least 3 pairs/)
    expect(() => pearson([1, 2, 3], [1, 2])).toThrow(/x has 3 values but y has 2/)
    expect(() => linearFit([2, 2], [1, 3])).toThrow(/x is constant/)
    expect(() => spearman([1, NaN, 3], [1, 2, 3])).toThrow(/value 1 is NaN/)
  })
  it('linear fit of an exact line', () => {
    const f = linearFit([0, 1, 2, 3], [1, 3, 5, 7])
    close(f.slope, 2, 1e-15)
    close(f.intercept, 1, 1e-15)
    expect(f.r2).toBe(1)
    expect(linearFit([0, 1, 2], [4, 4, 4])).toEqual({ slope: 0, intercept: 4, r2: 1 })
  })
})

describe('studentTCdf', () => {
  it.each(ref.t_cdf)('t=$t df=$df', ({ t, df, cdf }) => {
    close(studentTCdf(t, df), cdf, 1e-12)
  })
  it('t with 1 df is Cauchy: F(t) = 1/2 + atan(t)/π', () => {
    for (const t of [-7, -1.3, 0.2, 5]) close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-13)
  })
  it('incompleteBeta(x, 1, 1) = x', () => {
    for (const x of [0, 0.1, 0.5, 0.99, 1]) close(incompleteBeta(x, 1, 1), x, 1e-14)
  })
})

describe('mean / sd / quantile', () => {
  it('match numpy', () => {
    const m = ref.moments
    close(mean(m.x), m.mean, 1e-15)
    close(sd(m.x), m.sd1, 1e-14)
    close(sd(m.x, 0), m.sd0, 1e-14)
  })
  it.each(ref.quantile)('quantile($x, $q)', ({ x, q, value }) => {
    close(quantile(x, q), value, 1e-14)
  })
  it('does not reorder its input and rejects empty/bad input', () => {
    const xs = [3, 1, 2]
    quantile(xs, 0.5)
    expect(xs).toEqual([3, 1, 2])
    expect(() => mean([])).toThrow(/no values/)
    expect(() => sd([1])).toThrow(/needs more than 1/)
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/)
  })
})
