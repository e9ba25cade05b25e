import { describe, expect, it } from 'vitest'
import { labOfHex } from '../../../src-main/core/colour/cielab'
import { compareToCielab, condensed } from '../../../src-main/core/colour/compare'
import { knnFromDistances, mutualKnnChance, mutualKnnFromDistances } from '../../../src-main/core/colour/neighbours'
import { mulberry32 as seededRandom, shuffleInPlace } from '../../../src-main/common/random'
import { spearman } from '../../../src-main/common/stats'
import { XKCD_COLOUR_TERMS } from '../../../src-main/core/colour/terms'
import { euclideanDistances } from '../../../src-main/core/maps/mds'
import { reference, toMat } from './reference'

const lab = labOfHex(XKCD_COLOUR_TERMS.map((t) => t.hex))

function randomEmbedding(random: () => number, n: number, k = 3): { data: Float64Array; rows: number; cols: number } {
  return { data: Float64Array.from({ length: n * k }, () => random() - 0.5), rows: n, cols: k }
}

describe('compareToCielab', () => {
  it('scores a rotated, scaled, shifted copy of CIELAB as a perfect match with p = 1/(R+1)', () => {
    const c = Math.cos(0.4)
    const s = Math.sin(0.4)
    const data = new Float64Array(60)
    for (let i = 0; i < 20; i++) {
      const [l, a, b] = [lab.data[i * 3]!, lab.data[i * 3 + 1]!, lab.data[i * 3 + 2]!]
      data.set([0.01 * (c * l - s * a) + 3, 0.01 * (s * l + c * a), -0.01 * b], i * 3)
    }
    const r = compareToCielab({ data, rows: 20, cols: 3 }, lab, { permutations: 199, seed: 1 })
    expect(r.procrustesResidual).toBeLessThan(1e-20)
    expect(r.spearman).toBeCloseTo(1, 12)
    expect(r.pValue).toBeCloseTo(1 / 200, 15)
    expect(r.residualPValue).toBeCloseTo(1 / 200, 15)
    expect(Math.abs(r.nullMean)).toBeLessThan(0.1)
    expect(r.nullSd).toBeGreaterThan(0)
    expect(r.residualNullMean).toBeGreaterThan(0.5)
    for (let i = 0; i < 60; i++) expect(r.aligned.data[i]).toBeCloseTo(lab.data[i]!, 8)
  })

  it('matches scipy spearmanr on condensed distance vectors', () => {
    const e = toMat(reference.spearman.embedding)
    const l = toMat(reference.spearman.lab)
    expect(compareToCielab(e, l, { permutations: 0 }).spearman).toBeCloseTo(reference.spearman.rho, 12)
    expect(condensed(euclideanDistances(l))).toHaveLength(105)
  })

  it('permutation p-values are roughly uniform under the null (unrelated embeddings)', () => {
    const random = seededRandom(42)
    const ps: number[] = []
    for (let t = 0; t < 150; t++) ps.push(compareToCielab(randomEmbedding(random, 20), lab, { permutations: 99, seed: t }).pValue)
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length
    const small = ps.filter((p) => p <= 0.05).length / ps.length
    // Uniform: mean 0.5 (SD of the mean ≈ 0.024), 5% below 0.05 (SD ≈ 1.8%).
    expect(mean).toBeGreaterThan(0.4)
    expect(mean).toBeLessThan(0.6)
    expect(small).toBeLessThan(0.12)
    expect(ps.filter((p) => p > 0.5).length).toBeGreaterThan(50)
  })

  it('its fast permuted-rank rho equals a direct Spearman on the permuted embedding', () => {
    const e = randomEmbedding(seededRandom(8), 12)
    const l = randomEmbedding(seededRandom(9), 12)
    const fast = compareToCielab(e, l, { permutations: 30, seed: 4 })
    const random = seededRandom(4)
    const perm = Int32Array.from({ length: 12 }, (_, i) => i)
    let sum = 0
    let hits = 0
    for (let r = 0; r < 30; r++) {
      shuffleInPlace(perm, random)
      const pe = { data: new Float64Array(36), rows: 12, cols: 3 }
      for (let i = 0; i < 12; i++) for (let c = 0; c < 3; c++) pe.data[i * 3 + c] = e.data[perm[i]! * 3 + c]!
      const rho = spearman(condensed(euclideanDistances(pe)), condensed(euclideanDistances(l))).rho
      sum += rho
      if (rho >= fast.spearman - 1e-12) hits++
    }
    expect(fast.nullMean).toBeCloseTo(sum / 30, 12)
    expect(fast.pValue).toBeCloseTo((1 + hits) / 31, 15)
  })

  it('is deterministic for a seed', () => {
    const e = randomEmbedding(seededRandom(5), 20)
    const a = compareToCielab(e, lab, { permutations: 50, seed: 9 })
    const b = compareToCielab(e, lab, { permutations: 50, seed: 9 })
    const c = compareToCielab(e, lab, { permutations: 50, seed: 10 })
    expect(a.pValue).toBe(b.pValue)
    expect(a.nullMean).toBe(b.nullMean)
    expect(c.nullMean).not.toBe(a.nullMean)
  })

  it('refuses degenerate and mismatched input instead of returning NaN', () => {
    expect(() => compareToCielab({ data: new Float64Array(60), rows: 20, cols: 3 }, lab)).toThrow(/all pairwise distances are equal/)
    expect(() => compareToCielab(randomEmbedding(seededRandom(1), 19), lab)).toThrow(/19 rows/)
    expect(() => compareToCielab(randomEmbedding(seededRandom(1), 20), lab, { permutations: -1 })).toThrow(/permutations/)
  })
})

describe('mutual k-NN from distances', () => {
  it('is 1 for the same space, ties broken by index, and near k/(n−1) for unrelated spaces', () => {
    const d = euclideanDistances(lab)
    expect(mutualKnnFromDistances(d, d, 5)).toBe(1)
    const line = euclideanDistances({ data: Float64Array.of(0, 1, 2, 3), rows: 4, cols: 1 })
    expect(Array.from(knnFromDistances(line, 2))).toEqual([1, 2, 0, 2, 1, 3, 2, 1])
    const random = seededRandom(3)
    let total = 0
    for (let t = 0; t < 200; t++) total += mutualKnnFromDistances(euclideanDistances(randomEmbedding(random, 20)), d, 5)
    expect(total / 200).toBeCloseTo(mutualKnnChance(20, 5), 1)
    expect(() => knnFromDistances(d, 20)).toThrow(/from 1 to 19/)
  })
})
