import { describe, expect, it } from 'vitest'
import { align } from '../../../src-main/core/align/align'
import { gaussian } from './helpers'

const A = gaussian(12, 4, 1)
const B = gaussian(12, 3, 2)

async function rejects(p: Promise<unknown>, pattern: RegExp) {
  await expect(p).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(pattern) })
}

describe('align input validation', () => {
  it('N mismatch names both inputs', async () => {
    await rejects(align(A, gaussian(11, 3, 3), { nameA: 'a.npy', nameB: 'b.npy' }), /^b\.npy: has 11 items but a\.npy has 12/)
  })

  it('NaN / Inf name the file, item and layer', async () => {
    const bad = { data: Float64Array.from(gaussian(12, 2 * 4, 4).data), n: 12, layers: 2, dim: 4 }
    bad.data[(5 * 2 + 1) * 4 + 2] = NaN
    await rejects(align(bad, A, { nameA: 'x.npy' }), /^x\.npy: NaN at item 5, layer 1, dim 2/)
    const inf = Float64Array.from(A.data)
    inf[3 * 4 + 1] = -Infinity
    await rejects(align({ data: inf, rows: 12, cols: 4 }, B, { nameA: 'y.npy' }), /^y\.npy: Inf at item 3, dim 1/)
  })

  it('k out of range, cknna with k < 2, unknown metric, bad flags', async () => {
    await rejects(align(A, B, { k: 12 }), /^k: k=12 must be less than the number of items N=12/)
    await rejects(align(A, B, { k: 0 }), /^k: must be a whole number >= 1/)
    await rejects(align(A, B, { k: 1, metrics: ['cknna'] }), /cknna needs k >= 2/)
    await rejects(align(A, B, { metrics: ['mutual_knn', 'nope'] }), /^metrics: unknown metric "nope"/)
    await rejects(align(A, B, { q: 1.5 }), /^q: must be in \(0, 1\]/)
    await rejects(align(A, B, { prep: 'zscore' as never }), /^prep: unknown preparation "zscore"/)
    await rejects(align(A, B, { layers: 'min' as never }), /^layers: unknown layer mode/)
    await rejects(align(A, B, { rbfSigma: 0 }), /^rbfSigma: /)
    // k only matters to the kNN metrics: CKA alone with k >= N is fine
    await expect(align(A, B, { k: 50, metrics: ['cka'] })).resolves.toBeTruthy()
  })

  it('a constant input is bad input; unbiased estimators need N >= 4', async () => {
    const c = { data: new Float64Array(12 * 4).fill(1), rows: 12, cols: 4 }
    await rejects(align(c, B, { nameA: 'c.npy' }), /^c\.npy: every item has identical features/)
    await rejects(align(gaussian(3, 2, 5), gaussian(3, 2, 6), { metrics: ['unbiased_cka'], nameA: 'a.npy' }), /unbiased_cka needs at least 4 items, got 3/)
  })

  it('the result has exactly the CLI.md keys (plus documented additions)', async () => {
    const r = await align(A, B, { metrics: 'all', k: 3 })
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['n', 'k', 'prep', 'layers_mode', 'chance', 'metrics', 'seconds', 'ep']))
    expect(Object.keys(r.metrics)).toEqual(['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cka', 'cka_rbf', 'unbiased_cka', 'cknna', 'svcca', 'rsa', 'procrustes'])
    for (const m of Object.values(r.metrics)) {
      expect(Object.keys(m)).toEqual(expect.arrayContaining(['score', 'layers', 'matrix', 'ci95']))
      expect(Number.isFinite(m.score)).toBe(true)
    }
    expect(r.prep).toBe('clamp-exact')
    expect(r.layers_mode).toBe('max')
    expect(r.ep).toBe('reference')
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })
})
