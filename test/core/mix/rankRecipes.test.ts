import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectLayout } from '../../../src-main/core/mix/layout'
import { defaultDirection, parseDirections, rankRecipes } from '../../../src-main/core/mix/rankRecipes'
import { parseCsvTable, readMixtureTable } from '../../../src-main/core/mix/readTable'
import { PAPER_TABLES } from '../../helpers/fixtures'

const small = parseCsvTable('recipe,web,code,acc,ppl,rank\na,50,50,10,5,3\nb,40,60,20,6,1\nc,30,70,20,4,2\nd,20,80,,7,4\n', 's.csv')

describe('rankRecipes', () => {
  it('mean-rank: per-metric ranks with ties averaged, missing metrics skipped, rank as given untouched', () => {
    const r = rankRecipes(small, { method: 'mean-rank', metrics: ['acc', 'ppl'], rankColumn: 'rank' })
    // acc (higher): b, c tie at 1.5, a 3, d missing. ppl (lower): c 1, a 2, b 3, d 4.
    expect(r.rows.map((x) => x.metricRanks)).toEqual([
      { acc: 3, ppl: 2 },
      { acc: 1.5, ppl: 3 },
      { acc: 1.5, ppl: 1 },
      { acc: null, ppl: 4 },
    ])
    expect(r.rows.map((x) => x.score)).toEqual([2.5, 2.25, 1.25, 4])
    expect(r.rows.map((x) => x.rank)).toEqual([3, 2, 1, 4])
    expect(r.rows.map((x) => x.rank_as_given)).toEqual([3, 1, 2, 4])
    expect(r.description).toMatch(/mean of per-metric ranks \(acc ↑, ppl ↓\)/)
  })

  it('weighted-score: min–max normalised, direction-aware, weighted', () => {
    const r = rankRecipes(small, { method: 'weighted-score', metrics: ['acc', 'ppl'], weights: { acc: 3, ppl: 1 } })
    // acc: a 0, b 1, c 1; ppl (lower): a 2/3, b 1/3, c 1, d 0.
    expect(r.rows[0]!.score).toBeCloseTo((3 * 0 + 2 / 3) / 4, 12)
    expect(r.rows[1]!.score).toBeCloseTo((3 * 1 + 1 / 3) / 4, 12)
    expect(r.rows[2]!.score).toBeCloseTo((3 * 1 + 1) / 4, 12)
    expect(r.rows[3]!.score).toBeCloseTo(0, 12)
    expect(r.rows.map((x) => x.rank)).toEqual([3, 2, 1, 4])
  })

  it('ties in the final score share the smaller rank', () => {
    const t = parseCsvTable('recipe,acc\na,1\nb,2\nc,2\nd,3\n', 't.csv')
    expect(rankRecipes(t, { method: 'mean-rank', metrics: ['acc'] }).rows.map((x) => x.rank)).toEqual([4, 2, 2, 1])
  })

  it('on the paper recipes keeps overall_rank as printed and ranks mix6 first under mean-rank', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
    const l = detectLayout(t)
    const r = rankRecipes(t, { method: 'mean-rank', metrics: l.metrics, rankColumn: l.rank })
    expect(r.directions).toEqual({ t_acc: 'higher', ppl: 'lower', v_acc: 'higher' })
    expect(r.rows.map((x) => x.rank_as_given)).toEqual([5, 4, 8, 9, 10, 6, 1, 3, 2, 7, 11])
    expect(r.rows.find((x) => x.rank === 1)!.label).toBe('mix6')
  })

  it('directions: defaults by name, parsing and errors', () => {
    expect(defaultDirection('ppl')).toBe('lower')
    expect(defaultDirection('val_loss')).toBe('lower')
    expect(defaultDirection('v_acc')).toBe('higher')
    expect(defaultDirection('approx')).toBe('higher')
    expect(parseDirections('ppl:lower, t_acc=max')).toEqual({ ppl: 'lower', t_acc: 'higher' })
    expect(() => parseDirections('ppl')).toThrow('directions: "ppl" should look like COLUMN:lower or COLUMN:higher')
    expect(() => parseDirections('ppl:sideways')).toThrow(/"sideways" is not a direction/)
    expect(() => rankRecipes(small, { method: 'mean-rank', metrics: ['acc'], directions: { ppl: 'lower' } })).toThrow(/"ppl" is not a metric column/)
    expect(() => rankRecipes(small, { method: 'mean-rank', metrics: ['recipe'] })).toThrow(/column "recipe" holds text/)
  })
})
