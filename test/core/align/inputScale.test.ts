import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { FIXTURES } from '../../helpers/fixtures'
import { readFeatures } from '../../../src-main/core/data/npy'
import { align } from '../../../src-main/core/align/align'
import { unitScale } from '../../../src-main/core/align/prep'
import type { Prep } from '../../../src-main/core/align/prep'
import type { Mat, Tensor3 } from '../../../src-main/common/matrix'
import { AppError } from '../../../src-main/common/errors'

// Features far from unit scale (float64 beyond float32's range, subnormal float32) once gave
// "constant" or CKA = 0. The preparations are scale-invariant, so the official algorithms' float64
// numbers for the unscaled fixtures (test/fixtures/align/make_reference.py) are the expected values.
const DIR = path.join(FIXTURES, 'align')
interface RefCase {
  name: string
  a: string
  b: string
  opts: { metrics: string[]; k: number; prep: Prep; q: number; rbf_sigma: number }
  result: Record<string, { score: number }>
}
const ref = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as { cases: RefCase[] }
const refCase = (name: string): RefCase => ref.cases.find((c) => c.name === name)!

/** x · 2^e as float64 (exact: no value under- or overflows for the exponents used here). */
function scaled64<T extends Mat | Tensor3>(x: T, e: number): T {
  return { ...x, data: Float64Array.from(x.data, (v) => v * 2 ** e) }
}
/** x · 2^e rounded to float32 (subnormal for negative e beyond −126). */
function scaled32<T extends Mat | Tensor3>(x: T, e: number): T {
  return { ...x, data: Float32Array.from(x.data, (v) => v * 2 ** e) }
}

describe('alignment of inputs far from unit scale', () => {
  it('unitScale brings the largest |x| into [1, 2) with two exact powers of two, even for subnormal float64', () => {
    for (const m of [1, 1.999, 2, 3.9e300, 1.7976931348623157e308, 1e-42, 5e-324, 3e-310, 0.75]) {
      const [s1, s2] = unitScale(m)
      const v = m * s1 * s2
      expect(v, `max ${m}`).toBeGreaterThanOrEqual(1)
      expect(v, `max ${m}`).toBeLessThan(2)
      expect(Number.isFinite(s1) && Number.isFinite(s2)).toBe(true)
    }
    expect(unitScale(0)).toEqual([1, 1])
  })

  it.each(['pair2d_exact', 'pair2d_approx', 'pair2d', 'tails_f8'])('%s: float64 features scaled by 2^900 give the float64 reference numbers', async (name) => {
    const c = refCase(name)
    const A = scaled64(readFeatures(path.join(DIR, c.a)), 900)
    const B = scaled64(readFeatures(path.join(DIR, c.b)), 900)
    const res = await align(A, B, { metrics: c.opts.metrics, k: c.opts.k, prep: c.opts.prep, q: c.opts.q, rbfSigma: c.opts.rbf_sigma })
    for (const [m, want] of Object.entries(c.result)) {
      expect(res.metrics[m]!.undefined_reason, `${name} ${m}`).toBeNull()
      expect(res.metrics[m]!.score, `${name} ${m}`).toBeCloseTo(want.score, 5)
    }
  })

  it('subnormal float32 features: CKA and every metric equal those of the same values brought to unit scale, and the reference within rounding', async () => {
    const c = refCase('pair2d_exact')
    const A0 = readFeatures(path.join(DIR, c.a))
    const B0 = readFeatures(path.join(DIR, c.b))
    // 2^-130: the largest values are subnormal float32 (below 2^-126), the smallest keep ~8 bits.
    const Asub = scaled32(A0, -130)
    const Bsub = scaled32(B0, -130)
    const opts = { metrics: c.opts.metrics, k: c.opts.k, prep: c.opts.prep, q: c.opts.q, rbfSigma: c.opts.rbf_sigma }
    const sub = await align(Asub, Bsub, opts)
    // The very same values, exactly multiplied back up in float64.
    const unit = await align(scaled64(Asub, 130), scaled64(Bsub, 130), opts)
    for (const m of c.opts.metrics) {
      expect(sub.metrics[m]!.score, m).toBe(unit.metrics[m]!.score)
      expect(sub.metrics[m]!.undefined_reason, m).toBeNull()
    }
    // Rounding the smallest values to ~8 bits moves the CKA family a little, never to 0.
    for (const m of ['cka', 'cka_rbf', 'unbiased_cka']) expect(Math.abs(sub.metrics[m]!.score - c.result[m]!.score), m).toBeLessThan(2e-3)
  })

  it('--prep none: rank-only metrics are computed at any scale; scale-dependent ones are refused with the way out', async () => {
    const c = refCase('pair2d_none')
    const A = readFeatures(path.join(DIR, c.a))
    const B = readFeatures(path.join(DIR, c.b))
    const rankOnly = ['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn']
    const big = await align(scaled64(A, 900), scaled64(B, 900), { metrics: rankOnly, k: c.opts.k, prep: 'none' })
    const tiny = await align(scaled32(A, -120), scaled32(B, -120), { metrics: rankOnly, k: c.opts.k, prep: 'none' })
    const unit = await align(A, B, { metrics: rankOnly, k: c.opts.k, prep: 'none' })
    expect(unit.metrics['mutual_knn']!.score).toBeCloseTo(c.result['mutual_knn']!.score, 10)
    for (const m of rankOnly) {
      expect(big.metrics[m]!.score, m).toBe(unit.metrics[m]!.score)
      expect(tiny.metrics[m]!.score, m).toBe(unit.metrics[m]!.score)
    }
    for (const metrics of [['cka'], ['mutual_knn', 'cka_rbf'], ['svcca']]) {
      const err = await align(scaled64(A, 900), B, { metrics, prep: 'none', nameA: 'a.npy' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).code).toBe('BAD_INPUT')
      expect((err as AppError).message).toMatch(/^a\.npy: .*outside \[2\^-30, 2\^30\].*choose prep l2/)
    }
    // Unit-scale inputs with prep none are untouched: the reference numbers still hold.
    const plain = await align(A, B, { metrics: ['cka', 'mutual_knn'], k: c.opts.k, prep: 'none' })
    expect(plain.metrics['cka']!.score).toBeCloseTo(c.result['cka']!.score, 5)
  })
})
