import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { alignmentVersusMixture, paretoFront, shareVersusScore, tradeOff } from '../../../src-main/core/mix/charts'
import { readMixtureTable } from '../../../src-main/core/mix/readTable'
import { PAPER_TABLES } from '../../helpers/fixtures'

describe('paretoFront', () => {
  it('keeps non-dominated points in x order, honouring directions', () => {
    const pts = [
      { label: 'a', values: [1, 5] },
      { label: 'b', values: [2, 4] },
      { label: 'c', values: [2, 3] }, // dominated by b
      { label: 'd', values: [3, 1] },
      { label: 'e', values: [3, 1] }, // equal to d: neither dominates
    ]
    expect(paretoFront(pts, ['higher', 'higher'])).toEqual([0, 1, 3, 4])
    // Minimising both: c dominates b; a (smallest x) and d, e (smallest y) stay.
    expect(paretoFront(pts, ['lower', 'lower'])).toEqual([0, 2, 3, 4])
  })

  it('matches the definition on random inputs: front points are undominated, others dominated by a front point', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 15 }), (raw) => {
        const pts = raw.map(([a, b]) => ({ label: null, values: [a, b] }))
        const front = new Set(paretoFront(pts, ['higher', 'lower']))
        const dom = (p: number[], q: number[]): boolean => p[0]! >= q[0]! && p[1]! <= q[1]! && (p[0]! > q[0]! || p[1]! < q[1]!)
        pts.forEach((p, i) => {
          const dominated = pts.some((q) => dom(q.values, p.values))
          expect(front.has(i)).toBe(!dominated)
        })
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})

describe('chart series from the paper recipes', () => {
  it('trade-off of t_acc vs v_acc with the Pareto front', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
    const to = tradeOff(t, 't_acc', 'v_acc', ['higher', 'higher'])
    // By hand: mix0 has the best t_acc (53.0), mix10 the best v_acc (33.4), mix6 (52.7, 33.3) beats every
    // other recipe on one axis; mix6 dominates mix8 (52.7, 33.2) and mix0 dominates mix1 (52.8, 32.4).
    expect(to.front.map((p) => p.label)).toEqual(['mix10', 'mix6', 'mix0'])
    expect(to.points.filter((p) => p.onFront).map((p) => p.label)).toEqual(['mix0', 'mix6', 'mix10'])
  })

  it('share versus score sorts by share and skips missing values', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
    const s = shareVersusScore(t, 'reasoning', ['v_acc', 't_acc'])
    expect(s.series.map((x) => x.metric)).toEqual(['v_acc', 't_acc'])
    const xs = s.series[0]!.points.map((p) => p.x)
    expect(xs).toEqual([...xs].sort((a, b) => a - b))
    expect(s.series[0]!.points.at(-1)).toEqual({ x: 61.3, y: 33.4, label: 'mix10' })
  })
})

describe('alignmentVersusMixture', () => {
  it('averages over vision models per share, finds the peak, and gives mutual-kNN chance k/(n−1)', () => {
    const r = alignmentVersusMixture(
      [
        { share: 75, score: 0.052, visionModel: 'dino' },
        { share: 50, score: 0.05, visionModel: 'dino' },
        { share: 75, score: 0.054, visionModel: 'clip' },
        { share: 50, score: 0.051, visionModel: 'clip' },
      ],
      { k: 20, n: 1025 },
    )
    expect(r.chance).toBeCloseTo(20 / 1024, 15)
    expect(r.mean.map((m) => m.share)).toEqual([50, 75])
    expect(r.mean[1]!.score).toBeCloseTo(0.053, 15)
    expect(r.best).toEqual({ share: 75, score: r.mean[1]!.score })
    expect(r.perVision.map((v) => v.visionModel)).toEqual(['dino', 'clip'])
    expect(r.perVision[0]!.points.map((p) => p.share)).toEqual([50, 75])
    expect(() => alignmentVersusMixture([{ share: NaN, score: 1 }])).toThrow(/missing share or score/)
    expect(() => alignmentVersusMixture([], { k: 5, n: 3 })).toThrow(/1 ≤ k < n/)
  })
})
