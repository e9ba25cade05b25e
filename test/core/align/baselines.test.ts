import { describe, expect, it } from 'vitest'
import { align } from '../../../src-main/core/align/align'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { FullLayer, ResampledLayer } from '../../../src-main/core/align/layerView'
import { percentile } from '../../../src-main/core/align/baselines'
import { mulberry32, permutation, resample } from '../../../src-main/common/random'
import { gaussian, l2rows } from './helpers'

describe('baselines', () => {
  it('the PRNG is seeded and reproducible', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    for (let i = 0; i < 5; i++) expect(a()).toBe(b())
    expect(Array.from(permutation(mulberry32(1), 10)).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(Array.from(permutation(mulberry32(1), 10))).not.toEqual(Array.from(permutation(mulberry32(2), 10)))
  })

  it('chance is k/(N−1); a permuted B scores near chance and p = (1 + #{null ≥ obs})/(R + 1)', async () => {
    const A = l2rows(gaussian(80, 6, 1))
    const res = await align(A, A, { metrics: ['mutual_knn'], k: 5, prep: 'none', permutations: 19, seed: 3 })
    expect(res.chance.mutual_knn).toBeCloseTo(5 / 79, 15)
    const p = res.metrics.mutual_knn!.permutation!
    expect(p.r).toBe(19)
    expect(p.p_value).toBeCloseTo(1 / 20, 15) // observed 1.0 beats every permutation
    expect(Math.abs(p.mean - 5 / 79)).toBeLessThan(0.03)
    const again = await align(A, A, { metrics: ['mutual_knn'], k: 5, prep: 'none', permutations: 19, seed: 3 })
    expect(again.metrics.mutual_knn!.permutation).toEqual(p)
  })

  it('bootstrap resamples never list a copy of an item as its neighbour', async () => {
    const backend = createReferenceBackend()
    const base = new FullLayer(l2rows(gaussian(25, 4, 2)), 'A', backend)
    const src = resample(mulberry32(7), 25)
    const view = new ResampledLayer(base, src, false)
    const k = 4
    const nn = await view.knn(k)
    for (let p = 0; p < 25; p++) {
      for (let t = 0; t < k; t++) {
        const q = nn[p * k + t]!
        expect(q).not.toBe(p)
        if (q >= 0) expect(src[q]).not.toBe(src[p])
      }
    }
    // a permutation view relabels the base lists
    const perm = permutation(mulberry32(8), 25)
    const pv = new ResampledLayer(base, perm, true)
    const baseNn = await base.knn(k)
    const pnn = await pv.knn(k)
    for (let p = 0; p < 25; p++) for (let t = 0; t < k; t++) expect(perm[pnn[p * k + t]!]).toBe(baseNn[perm[p]! * k + t])
  })

  it('bootstrap ci95 is seeded, ordered and brackets the observed score for a strong signal', async () => {
    const A = gaussian(60, 5, 4)
    const B = { data: A.data.map((x, t) => x + 0.3 * gaussian(60, 5, 5).data[t]!), rows: 60, cols: 5 }
    const opts = { metrics: ['mutual_knn', 'cka'], k: 5, bootstrap: 30, seed: 11 } as const
    const res = await align(A, B, opts)
    for (const m of ['mutual_knn', 'cka']) {
      const r = res.metrics[m]!
      expect(r.ci95![0]).toBeLessThanOrEqual(r.ci95![1])
      expect(r.ci95![0]).toBeLessThan(r.score + 0.1)
      expect(r.ci95![1]).toBeGreaterThan(r.score - 0.1)
    }
    expect((await align(A, B, opts)).metrics.cka!.ci95).toEqual(res.metrics.cka!.ci95)
  })

  it('percentile uses linear interpolation like numpy', () => {
    // np.percentile([1,2,3,4,5], 2.5) = 1.1, 97.5 -> 4.9
    const s = Float64Array.from([1, 2, 3, 4, 5])
    expect(percentile(s, 0.025)).toBeCloseTo(1.1, 12)
    expect(percentile(s, 0.975)).toBeCloseTo(4.9, 12)
  })
})
