import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { FIXTURES } from '../../helpers/fixtures'
import { readFeatures } from '../../../src-main/core/data/npy'
import { align, type LayersMode } from '../../../src-main/core/align/align'
import type { Prep } from '../../../src-main/core/align/prep'

// Numbers from the official PRH algorithms re-implemented in torch float64:
// test/fixtures/align/make_reference.py (see its docstring for the deliberate differences).
const DIR = path.join(FIXTURES, 'align')
interface RefCase {
  name: string
  a: string
  b: string
  opts: { metrics: string[]; k: number; prep: Prep; q: number; layers: LayersMode; rbf_sigma: number }
  result: Record<string, { score: number; layers: [number, number] | null; matrix: number[][] | null }>
}
const ref = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as { cases: RefCase[] }

describe('align matches the official algorithms (float64 torch re-implementation)', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const A = readFeatures(path.join(DIR, c.a))
    const B = readFeatures(path.join(DIR, c.b))
    const res = await align(A, B, { metrics: c.opts.metrics, k: c.opts.k, prep: c.opts.prep, q: c.opts.q, layers: c.opts.layers, rbfSigma: c.opts.rbf_sigma })
    for (const [m, want] of Object.entries(c.result)) {
      const got = res.metrics[m]!
      expect(got.score, `${c.name} ${m} score`).toBeCloseTo(want.score, 5)
      expect(got.layers, `${c.name} ${m} layers`).toEqual(want.layers)
      if (want.matrix === null) expect(got.matrix).toBeNull()
      else {
        expect(got.matrix!.length).toBe(want.matrix.length)
        want.matrix.forEach((row, i) => row.forEach((v, j) => expect(got.matrix![i]![j], `${c.name} ${m} [${i}][${j}]`).toBeCloseTo(v, 5)))
      }
    }
  })
})
