import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { labOfHex } from '../../../src-main/core/colour/cielab'
import { colourCooccurrence } from '../../../src-main/core/colour/cooccurrence'
import { colourExperiment } from '../../../src-main/core/colour/experiment'
import { decodeImages, listImageFiles } from '../../../src-main/core/colour/imageFolder'
import { colourPrompts, poolTemplateFeatures } from '../../../src-main/core/colour/prompts'
import { mulberry32 as seededRandom } from '../../../src-main/common/random'
import { XKCD_COLOUR_TERMS } from '../../../src-main/core/colour/terms'
import { SHAPES } from '../../helpers/fixtures'

const terms = XKCD_COLOUR_TERMS
const n = terms.length
const lab = labOfHex(terms.map((t) => t.hex))

/**
 * [n, 3, 16] features: layer 0 random, layer 1 CIELAB pushed through a random linear map into 16-D plus
 * a little noise (colour structure present), layer 2 identical for every colour (degenerate).
 */
function syntheticLanguage(): Float32Array {
  const random = seededRandom(77)
  const D = 16
  const map = Array.from({ length: 3 * D }, () => random() - 0.5)
  const data = new Float32Array(n * 3 * D)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) {
      data[(i * 3 + 0) * D + d] = random() - 0.5
      let v = 0
      for (let c = 0; c < 3; c++) v += lab.data[i * 3 + c]! * map[c * D + d]!
      data[(i * 3 + 1) * D + d] = v + 2 * (random() - 0.5)
      data[(i * 3 + 2) * D + d] = 0.25
    }
  }
  return data
}

describe('colourExperiment', () => {
  it('separates a layer with colour structure from a random one and flags a degenerate one', () => {
    const r = colourExperiment(
      { terms, language: { features: { data: syntheticLanguage(), n, layers: 3, dim: 16 }, layerNames: ['emb', 'mid', 'const'] } },
      // Without normalisation a linear image of CIELAB keeps its distance structure.
      { permutations: 199, seed: 3, normalize: false },
    )
    const [l0, l1, l2] = r.language!
    expect(l1!.name).toBe('mid')
    expect(l1!.scores!.spearman).toBeGreaterThan(0.8)
    expect(l1!.scores!.pValue).toBeCloseTo(1 / 200, 12)
    expect(l1!.mutualKnn.cielab!).toBeGreaterThan(r.mutualKnn.chance + 0.2)
    expect(l0!.scores!.pValue).toBeGreaterThan(0.01)
    expect(Math.abs(l0!.scores!.spearman)).toBeLessThan(0.3)
    expect(l0!.scores!.procrustesResidual).toBeGreaterThan(l1!.scores!.procrustesResidual)
    expect(l2!.scores).toBeNull()
    expect(l2!.note).toMatch(/same features/)
    expect(l2!.mutualKnn.cielab).toBeNull()
    expect(l1!.points).toHaveLength(n)
    expect(l1!.points[0]).toMatchObject({ term: 'red', hex: '#e50000' })
    expect(r.cielab[9]).toMatchObject({ term: 'white', x: expect.closeTo(100, 3) })
    expect(r.mutualKnn).toEqual({ k: 5, chance: 5 / 19 })
    expect(r.chanceNote).toMatch(/chance/)
    // Raw sRGB is close to CIELAB but not identical: a high baseline that is not a perfect score.
    expect(r.rgbBaseline.spearman).toBeGreaterThan(0.5)
    expect(r.rgbBaseline.spearman).toBeLessThan(0.99)
    expect(r.rgbBaseline.procrustesResidual).toBeGreaterThan(0.01)
    expect(r.visionModel).toBeNull()
    expect(r.cooccurrence).toBeNull()
  })

  it('runs on the shapes-256 images with finite numbers and reports absent colours', () => {
    const files = listImageFiles(path.join(SHAPES, 'images'), ['.png'])
    expect(files).toHaveLength(256)
    const cooc = colourCooccurrence(decodeImages(files), terms, { radius: 1 })
    expect(cooc.images).toBe(256)
    const r = colourExperiment({ terms, cooccurrence: cooc }, { permutations: 99, seed: 0 })
    const v = r.cooccurrence!
    // The dataset's backgrounds and the shape colours people would name must all take part.
    for (const t of ['white', 'gray', 'black', 'red', 'orange', 'green', 'blue', 'purple', 'pink', 'cyan']) expect(v.terms).toContain(t)
    expect(v.terms.length + v.absentTerms.length).toBe(n)
    expect(v.scores).not.toBeNull()
    for (const x of Object.values(v.scores!)) expect(Number.isFinite(x)).toBe(true)
    expect(v.scores!.pValue).toBeGreaterThan(0)
    expect(v.scores!.pValue).toBeLessThanOrEqual(1)
    expect(Number.isFinite(v.mutualKnn.cielab!)).toBe(true)
    expect(v.points).toHaveLength(v.terms.length)
    for (const p of v.points) for (const c of [p.x, p.y, p.z]) expect(Number.isFinite(c)).toBe(true)
  })

  it('compares language layers with the image space on the colours both have', () => {
    // Counts built so only the first 8 terms occur; the language space sees all 20.
    const counts = new Float64Array(n * n)
    const random = seededRandom(1)
    for (let a = 0; a < 8; a++) for (let b = a; b < 8; b++) counts[a * n + b] = counts[b * n + a] = Math.floor(random() * 1000) + (a === b ? 5000 : 0)
    const r = colourExperiment(
      { terms, cooccurrence: { data: counts, rows: n, cols: n }, language: { features: { data: syntheticLanguage(), n, layers: 3, dim: 16 } } },
      { permutations: 20 },
    )
    expect(r.cooccurrence!.terms).toEqual(terms.slice(0, 8).map((t) => t.name))
    expect(r.cooccurrence!.absentTerms).toHaveLength(12)
    expect(r.language![1]!.mutualKnn.cooccurrence).toBeGreaterThanOrEqual(0)
    expect(r.language![1]!.mutualKnn.cooccurrence).toBeLessThanOrEqual(1)
    expect(r.language![2]!.mutualKnn.cooccurrence).toBeNull()
  })

  it('rejects features that do not match the terms', () => {
    expect(() => colourExperiment({ terms, language: { features: { data: new Float32Array(19 * 2 * 4), n: 19, layers: 2, dim: 4 } } })).toThrow(/19 items but there are 20/)
    const bad = new Float32Array(n * 4).fill(1)
    bad[5] = NaN
    expect(() => colourExperiment({ terms, language: { features: { data: bad, n, layers: 1, dim: 4 } } })).toThrow(/NaN/)
  })
})

describe('colour prompts', () => {
  it('puts every term in every template, term-major, and pools templates back per term', () => {
    const p = colourPrompts(terms.slice(0, 2), ['{colour}', 'the colour {colour}'])
    expect(p.texts).toEqual(['red', 'the colour red', 'orange', 'the colour orange'])
    const f = { data: Float32Array.of(1, 3, 5, 7, 2, 2, 4, 4), n: 4, layers: 1, dim: 2 }
    const pooled = poolTemplateFeatures(f, 2, 2)
    expect(Array.from(pooled.data)).toEqual([3, 5, 3, 3])
    expect(() => colourPrompts(terms, ['no placeholder'])).toThrow(/placeholder/)
    expect(() => poolTemplateFeatures(f, 3, 2)).toThrow(/expected 6 rows/)
  })
})
