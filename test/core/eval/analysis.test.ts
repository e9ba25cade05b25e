import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { categorySpearman } from '../../../src-main/core/eval/categorySpearman'
import { mleBreakdown, summaryBreakdown } from '../../../src-main/core/eval/mleBreakdown'
import { pairedComparison } from '../../../src-main/core/eval/pairedComparison'
import { frontierFromPaper, paperCategorySpearman } from '../../../src-main/core/eval/paperTables'
import { questionTable } from '../../../src-main/core/eval/questionTable'
import type { BinKey, EvalRow } from '../../../src-main/core/eval/types'
import { vqaCategories } from '../../../src-main/core/eval/vqaCategories'
import { binKeyOf } from '../../../src-main/core/eval/bins'
import { PAPER_TABLES } from '../../helpers/fixtures'

const src = { file: 'x.jsonl', harness: 'jsonl' as const, shape: 'plain-jsonl', judge: null }
function row(model: string, qid: string, bin: BinKey, correct: boolean, question: string | null = null): EvalRow {
  return { model, qid, bin, binLabel: `existence_${bin}`, question, choices: question ? ['a', 'b', 'c', 'd'] : null, answer_letter: 'A', pred_raw: correct ? 'A' : 'B', pred_letter: correct ? 'A' : 'B', correct, parsed: true, rule: 'letter', file_correct: null, source: src }
}

describe('binKeyOf', () => {
  it.each([
    ['existence_0-30', '0-30'],
    ['existence_30-60', '30-60'],
    ['existence_60-100', '60-100'],
    ['0–30%', '0-30'],
    ['Small (0-30)', '0-30'],
    ['small', '0-30'],
    ['large', '60-100'],
    ['existence_10-30', null],
    ['existence_0-300', null],
    ['existence', null],
  ])('%s → %s', (label, key) => expect(binKeyOf(label)).toBe(key))
})

describe('paired comparison', () => {
  it('warns with counts when the question sets differ and uses the shared ones', () => {
    const a = [row('a', '1', '0-30', true), row('a', '2', '0-30', true), row('a', '3', '0-30', false), row('a', '9', '60-100', true)]
    const b = [row('b', '1', '0-30', false), row('b', '2', '0-30', true), row('b', '3', '0-30', false), row('b', '7', '0-30', true), row('b', '8', '0-30', true)]
    const pc = pairedComparison(a, b, 'a', 'b')
    expect(pc.warnings).toEqual(['a vs b: question sets differ: 3 shared, 1 only in a, 2 only in b; the comparison uses the shared questions'])
    const e = pc.entries.find((x) => x.bin === '0-30')!
    expect(e).toMatchObject({ n: 3, only_a: 1, only_b: 0, p_value: 1 })
    expect(e.delta).toBeCloseTo(1 / 3, 15)
    expect(pc.entries.map((x) => x.bin)).toEqual(['0-30', 'overall'])
  })
  it('falls back to question text when ids do not correspond', () => {
    const a = [row('a', '0', '0-30', true, 'q1'), row('a', '1', '0-30', true, 'q2'), row('a', '2', '30-60', false, 'q3')]
    const b = [row('b', 'x', '0-30', false, 'q2'), row('b', 'y', '0-30', false, 'q1'), row('b', 'z', '30-60', true, 'q3')]
    const pc = pairedComparison(a, b, 'a', 'b')
    expect(pc.matchedBy).toBe('text')
    expect(pc.entries.find((x) => x.bin === 'overall')).toMatchObject({ n: 3, only_a: 2, only_b: 1 })
  })
  it('exact McNemar on a hand-made table: 10 discordant for a, 2 for b', () => {
    const a: EvalRow[] = []
    const b: EvalRow[] = []
    for (let i = 0; i < 30; i++) {
      const ca = i < 10 || i >= 20
      const cb = (i >= 10 && i < 12) || i >= 20
      a.push(row('a', String(i), '30-60', ca))
      b.push(row('b', String(i), '30-60', cb))
    }
    const e = pairedComparison(a, b, 'a', 'b').entries[0]!
    // scipy.stats.binomtest(10, 12, 0.5).pvalue = 0.03857421875
    expect(e).toMatchObject({ bin: '30-60', only_a: 10, only_b: 2 })
    expect(e.p_value).toBeCloseTo(0.03857421875, 12)
    expect(e.delta).toBeCloseTo(8 / 30, 15)
  })
})

describe('mleBreakdown', () => {
  it('weighted vs unweighted overall, missing-bin warning, repeated ids', () => {
    const rows = [row('m', '1', '0-30', true), row('m', '2', '0-30', false), row('m', '3', '0-30', false), row('m', '4', '30-60', true), row('m', '4', '30-60', false)]
    const res = mleBreakdown(rows)
    const m = res.models[0]!
    expect(m.n).toBe(4)
    expect(m.overall_weighted).toBeCloseTo(2 / 4, 15)
    expect(m.overall_unweighted).toBeCloseTo((1 / 3 + 1) / 2, 15)
    expect(res.warnings.join('\n')).toMatch(/no questions in bin\(s\) 60-100/)
    expect(res.warnings.join('\n')).toMatch(/1 repeated question id/)
    expect(res.chance).toBe(0.25)
  })
})

describe('frontierFromPaper (LSBS Table 5)', () => {
  const csv = fs.readFileSync(path.join(PAPER_TABLES, 'lsbs_mle_frontier.csv'), 'utf8')
  it('rebuilds counts from the published bin sizes and matches the published overall', () => {
    const rows = frontierFromPaper(csv)
    expect(rows.map((r) => r.model)).toEqual(['gpt-5', 'gpt-4o-mini', 'gemini-2.5-flash', 'claude-opus-4-20250514'])
    const gpt5 = summaryBreakdown(rows[0]!)
    // 73.63% of 732 = 538.97 → 539; 90.69% of 698 = 633.02 → 633; 86.31% of 431 = 371.996 → 372
    expect([gpt5.bins['0-30']!.correct, gpt5.bins['30-60']!.correct, gpt5.bins['60-100']!.correct]).toEqual([539, 633, 372])
    for (const r of rows) {
      const b = summaryBreakdown(r)
      // published to 0.01 pts; one model is 0.008 pts off after re-rounding the bin counts
      expect(Math.abs(b.overall_weighted - r.publishedOverall!)).toBeLessThan(0.0001)
      for (const k of ['0-30', '30-60', '60-100'] as const) {
        expect(b.bins[k]!.ci95[0]).toBeLessThan(b.bins[k]!.acc)
        expect(b.bins[k]!.ci95[1]).toBeGreaterThan(b.bins[k]!.acc)
      }
    }
    // scipy.stats.binomtest(539, 732).proportion_ci(method="wilson") = [0.7032451, 0.7669648] (z = 1.959964; 1.96 moves it < 1e-5)
    expect(gpt5.bins['0-30']!.ci95[0]).toBeCloseTo(0.7032451, 4)
    expect(gpt5.bins['0-30']!.ci95[1]).toBeCloseTo(0.7669648, 4)
  })
  it('explains a malformed table', () => {
    expect(() => frontierFromPaper('model,acc\nx,1\n')).toThrow(/missing column\(s\) acc_0_30, acc_30_60, acc_60_100/)
  })
})

describe('vqaCategories', () => {
  const cats = JSON.parse(fs.readFileSync(path.join(PAPER_TABLES, 'lsbs_vqa_categories.json'), 'utf8')) as Record<string, string[]>
  it('category means, Avg VQA over benchmarks, MME / 20', () => {
    const scores: Record<string, number> = {}
    const all = Object.values(cats).flat()
    all.forEach((b, i) => (scores[b] = 10 + i))
    scores.MME = 1000 // → 50
    const r = vqaCategories(scores, cats)
    const general = [scores.GQA!, 50, scores.MMBench!, scores.SEED!]
    expect(r.categories.general!.score).toBeCloseTo(general.reduce((a, b) => a + b) / 4, 12)
    const vals = all.map((b) => (b === 'MME' ? 50 : scores[b]!))
    expect(r.avgVqa).toBeCloseTo(vals.reduce((a, b) => a + b) / vals.length, 12)
    // not the mean of the category means (4/4/3/5 benchmarks)
    const catMean = Object.values(r.categories).reduce((a, c) => a + c.score!, 0) / 4
    expect(Math.abs(catMean - r.avgVqa!)).toBeGreaterThan(0.01)
    expect(r.assumptions[0]).toMatch(/divided by 20/)
  })
  it('matches names loosely, reports missing and unassigned benchmarks', () => {
    const r = vqaCategories({ 'cv_bench coco': 60, textvqa: 40, Foo: 1 }, cats)
    expect(r.categories.vision_centric).toMatchObject({ score: 60, used: ['CV-Bench COCO'] })
    expect(r.categories.general!.score).toBeNull()
    expect(r.unassigned).toEqual(['Foo'])
    expect(r.avgVqa).toBe(50)
  })
})

describe('categorySpearman', () => {
  it('matrix with exact p for few models, against scipy', () => {
    // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]) rho = 0.8; exact two-sided p over 5! pairings = 0.1333...
    const models = [1, 2, 3, 4, 5].map((v, i) => ({ name: `m${i}`, categories: { general: v, knowledge: [2, 1, 4, 3, 5][i]!, ocr_chart: 5 - v, vision_centric: 7 } }))
    const s = categorySpearman(models)
    expect(s.rho[0]![1]).toBeCloseTo(0.8, 12)
    expect(s.p[0]![1]).toBeCloseTo(0.13333333333333333, 12)
    expect(s.rho[0]![2]).toBeCloseTo(-1, 12)
    expect(s.rho[0]![0]).toBe(1)
    expect(s.rho[3]![0]).toBeNull()
    expect(s.warnings.join()).toMatch(/vision_centric has the same score/)
  })
  it('needs three complete models', () => {
    expect(() => categorySpearman([{ name: 'a', categories: { g: 1, k: 2 } }, { name: 'b', categories: { g: 2, k: null } }])).toThrow(/at least 3 models/)
  })
  it('reads the paper matrix (Fig. 5)', () => {
    const p = paperCategorySpearman(fs.readFileSync(path.join(PAPER_TABLES, 'lsbs_category_spearman.csv'), 'utf8'))
    expect(p.categories).toEqual(['general', 'knowledge', 'ocr_chart', 'vision_centric'])
    expect(p.rho[0]![2]).toBe(0.37)
    expect(p.rho[2]![0]).toBe(0.37)
  })
})

describe('questionTable', () => {
  it('lines up answers and filters to disagreements', () => {
    const rows = [row('a', '1', '0-30', true, 'q1'), row('b', '1', '0-30', false), row('a', '2', '30-60', true, 'q2'), row('b', '2', '30-60', true)]
    const t = questionTable(rows)
    expect(t.map((q) => q.disagree)).toEqual([true, false])
    expect(questionTable(rows, { disagreementsOnly: true }).map((q) => q.qid)).toEqual(['1'])
    expect(t[0]!.answers.b!.correct).toBe(false)
  })
})
