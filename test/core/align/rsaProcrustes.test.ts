import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import type { Mat } from '../../../src-main/common/matrix'
import { FullLayer } from '../../../src-main/core/align/layerView'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { averageRanks, centredRanks, rsa } from '../../../src-main/core/align/rsa'
import { procrustes } from '../../../src-main/core/align/procrustes'
import { FIXTURES } from '../../helpers/fixtures'
import { gaussian, l2rows, matmul, randomRotation, scale } from './helpers'

const REF = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'calibration', 'reference.json'), 'utf8')) as {
  pairs: { name: string; a: number[]; b: number[]; n: number; da: number; db: number; rsa: number; procrustes: number }[]
}

const view = (m: Mat, label = 'x') => new FullLayer(m, label, createReferenceBackend())
const score = async (f: typeof rsa | typeof procrustes, a: Mat, b: Mat) => (await f(view(a, 'a'), view(b, 'b'))).score

describe('rsa and procrustes against the float64 numpy reference (make_calibration.py)', () => {
  for (const p of REF.pairs) {
    it(`${p.name}: N=${p.n}, widths ${p.da} and ${p.db}`, async () => {
      const a: Mat = { data: Float64Array.from(p.a), rows: p.n, cols: p.da }
      const b: Mat = { data: Float64Array.from(p.b), rows: p.n, cols: p.db }
      expect(await score(rsa, a, b)).toBeCloseTo(p.rsa, 12)
      expect(await score(procrustes, a, b)).toBeCloseTo(p.procrustes, 9)
      // both are symmetric
      expect(await score(rsa, b, a)).toBeCloseTo(p.rsa, 12)
      expect(await score(procrustes, b, a)).toBeCloseTo(p.procrustes, 9)
    })
  }
})

describe('invariants', () => {
  it('a rotated, scaled copy scores 1 on both (also when D > N, through the N-column factor)', async () => {
    for (const [n, d] of [[30, 6], [12, 20]] as const) {
      const A = l2rows(gaussian(n, d, 3 + d))
      const B = scale(matmul(A, randomRotation(d, 4 + d)), 2.5)
      expect(await score(rsa, A, B)).toBeCloseTo(1, 12)
      expect(await score(procrustes, A, B)).toBeCloseTo(1, 9)
    }
  })

  it('rsa ranks are unchanged by a strictly increasing transform of the distances, so rsa = 1', () => {
    const d = Float64Array.from({ length: 300 }, (_, t) => Math.floor(((t * 7919) % 300) / 3) / 10) // many ties
    const f = d.map((x) => x ** 3 + Math.log1p(x) + 2)
    const ra = centredRanks(d)
    const rb = centredRanks(f)
    let s = 0
    for (let t = 0; t < d.length; t++) s += ra.ranks[t]! * rb.ranks[t]!
    expect(s / (ra.norm * rb.norm)).toBeCloseTo(1, 14)
  })

  it('average ranks: ties share the mean of their positions', () => {
    expect(Array.from(averageRanks(Float64Array.of(3, 1, 3, 2, 3)))).toEqual([4, 1, 4, 2, 4])
    expect(Array.from(averageRanks(Float64Array.of(5, 5)))).toEqual([1.5, 1.5])
  })

  it('procrustes lies in [0, 1] and falls for unrelated inputs; a reflected copy scores 1', async () => {
    const A = gaussian(40, 5, 21)
    const B = gaussian(40, 7, 22)
    const s = await score(procrustes, A, B)
    expect(s).toBeGreaterThan(0)
    expect(s).toBeLessThan(0.8)
    const R = { data: Float64Array.from({ length: 25 }, (_, t) => (t % 6 === 0 ? (t === 0 ? -1 : 1) : 0)), rows: 5, cols: 5 }
    expect(await score(procrustes, A, matmul(A, R))).toBeCloseTo(1, 9)
  })

  it('rsa is undefined (0 with a reason) when every distance of a side is tied', async () => {
    // the vertices of a simplex: all pairwise distances equal
    const E: Mat = { data: Float64Array.from({ length: 16 }, (_, t) => (t % 5 === 0 ? 1 : 0)), rows: 4, cols: 4 }
    const r = await rsa(view(E, 'simplex'), view(gaussian(4, 3, 1), 'b'))
    expect(r.score).toBe(0)
    expect(r.undefinedReason).toMatch(/simplex: every pairwise distance is equal/)
  })
})
