import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { deriveShares, matchSource } from '../../../src-main/core/mix/deriveShares'
import { detectLayout } from '../../../src-main/core/mix/layout'
import { parseCsvTable, readMixtureTable } from '../../../src-main/core/mix/readTable'
import { FIXTURES, PAPER_TABLES } from '../../helpers/fixtures'

// numpy reference from test/fixtures/mix/make_reference.py
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'mix', 'reference.json'), 'utf8')) as {
  derived: { recipes: string[]; reasoning: number[]; visual: number[] }
}

describe('deriveShares on the paper (Tables 2 and 4)', () => {
  it('reproduces mix0–mix6 and flags exactly mix7–mix10', async () => {
    const recipes = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
    const sources = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_source_categories.csv'))
    const d = deriveShares(recipes, detectLayout(recipes), sources)
    expect(d.mapping).toEqual({ web_crawl: 'web-crawl', encyclopedia: 'encyclopedia', academic: 'academia', literature: 'literature', math: 'math', code: 'code' })
    expect(d.disagreeing).toEqual(['mix7', 'mix8', 'mix9', 'mix10'])
    d.rows.forEach((r, i) => {
      expect(r.label).toBe(ref.derived.recipes[i])
      expect(r.reasoning).toBeCloseTo(ref.derived.reasoning[i]!, 10)
      expect(r.visual).toBeCloseTo(ref.derived.visual[i]!, 10)
    })
    for (const r of d.rows.slice(0, 7)) {
      expect(Math.abs(r.reasoningDiff!)).toBeLessThan(0.06)
      expect(Math.abs(r.visualDiff!)).toBeLessThan(0.06)
    }
    // Rounding bound for one-decimal tables: 0.05 + 0.05·Σ cat/100 + 0.05·Σ share/100.
    expect(d.rows[0]!.visualTolerance).toBeCloseTo(0.05 + 0.05 * 0.898 + 0.05, 10)
    expect(d.rows[0]!.reasoningTolerance).toBeCloseTo(0.05 + 0.05 * 2.96 + 0.05, 10)
    // mix7 is flagged on its visual share only (printed 14.4, derived 13.99).
    expect(d.rows[7]!.visualDiff).toBeCloseTo(14.4 - 13.987, 3)
    expect(Math.abs(d.rows[7]!.reasoningDiff!)).toBeLessThan(0.1)
    // A fixed 0.5-point tolerance would miss mix7; the option is honoured.
    const loose = deriveShares(recipes, detectLayout(recipes), sources, { tolerancePct: 0.5 })
    expect(loose.disagreeing).toEqual(['mix8', 'mix9', 'mix10'])
  })

  it('normalising by the share sum changes nothing for shares summing to 100 and rescales otherwise', () => {
    const src = parseCsvTable('source,reasoning_combination,visual_combination\na,10,50\nb,90,20\n', 's.csv')
    const rec = parseCsvTable('recipe,a,b,v_acc\nm0,50,50,1\nm1,40,40,2\n', 'r.csv')
    const l = detectLayout(rec, { shares: ['a', 'b'] })
    const plain = deriveShares(rec, l, src)
    expect(plain.rows[0]!.reasoning).toBeCloseTo(50, 12)
    expect(plain.rows[1]!.reasoning).toBeCloseTo(40, 12)
    const norm = deriveShares(rec, l, src, { normalise: true })
    expect(norm.rows[1]!.reasoning).toBeCloseTo(50, 12)
    expect(norm.rows[1]!.visual).toBeCloseTo(35, 12)
    expect(plain.rows[0]!.reasoningGiven).toBeNull()
    expect(plain.disagreeing).toEqual([])
  })

  it('names an unmatched source column and a missing category column', () => {
    const src = parseCsvTable('source,reasoning_combination,visual_combination\nweb,10,50\nbooks,90,20\n', 's.csv')
    const rec = parseCsvTable('recipe,web,code,v_acc\nm0,50,50,1\nm1,40,60,2\n', 'r.csv')
    expect(() => deriveShares(rec, detectLayout(rec), src)).toThrow('s.csv: no source matches the recipe column "code" (sources: web, books)')
    const noCat = parseCsvTable('source,reasoning,visual_combination\nweb,10,50\ncode,90,20\n', 's2.csv')
    expect(() => deriveShares(rec, detectLayout(rec), noCat)).toThrow('s2.csv: no column "reasoning_combination"')
  })

  it('matchSource pairs names by normalised equality, then a unique long prefix', () => {
    expect(matchSource('web_crawl', ['web-crawl', 'code'])).toBe(0)
    expect(matchSource('academic', ['academia', 'code'])).toBe(0)
    expect(matchSource('math', ['mathematics', 'code'])).toBe(-1) // prefix of 4 letters is too short
    expect(matchSource('papers', ['academia', 'code'], 'academia')).toBe(0)
    expect(matchSource('literature', ['literature_a', 'literature_b'])).toBe(-1)
  })
})
