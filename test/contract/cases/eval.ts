import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'
import { ISO_TIME, SHA256, type Cases, type Harness } from '../harness'

const FORMATS = path.join(FIXTURES, 'eval', 'formats')
const PLAIN = ['m1', 'm2'].map((m) => path.join(FORMATS, 'plain', `${m}.jsonl`))
const NESTED_M1 = path.join(FORMATS, 'lmms_nested', 'm1_samples_mle_bench.jsonl')

/** The breakdown of the fixture answers, computed from hand-labelled letters by make_eval_fixtures.py. */
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'eval', 'expected_breakdown.json'), 'utf8')) as {
  models: { name: string; n: number; bins: Record<string, { n: number; correct: number; acc: number; ci95: [number, number] }>; overall_weighted: number; unparsed: number }[]
  paired: { a: string; b: string; bin: string; n: number; delta: number; p_value: number }[]
}

const RUN_SHAPE = {
  id: expect.any(String),
  model: expect.any(String),
  file: expect.any(String),
  sha256: SHA256,
  harness: expect.any(String),
  shape: expect.any(String),
  judge: null,
  verdict: expect.any(String),
  benchmarkFile: null,
  n: expect.any(Number),
  warnings: expect.any(Array),
  importedAt: ISO_TIME,
}

/** The two plain-JSONL fixture runs (importing again returns the stored ones). */
async function plainRuns(h: Harness): Promise<string[]> {
  return (await h.inProcess.call('eval.import', { paths: PLAIN, models: ['m1', 'm2'] })).runs.map((r) => r.id)
}

const dropCached = (r: { runs: { cached: boolean }[] }): unknown => r.runs.map(({ cached: _c, ...run }) => run)

/** Evaluation analytics (MLE-Bench view). */
export const EVAL_CASES: Cases<'eval.import' | 'eval.list' | 'eval.breakdown' | 'eval.questions' | 'eval.remove' | 'eval.paper' | 'eval.vqa' | 'eval.image'> = {
  'eval.import': async (h) => {
    // The second import finds the same file, label and policy already stored and returns that run.
    const [a, b] = await h.both('eval.import', { paths: PLAIN, models: ['m1', 'm2'] }, { normalise: dropCached })
    expect(a.runs).toEqual(PLAIN.map((file, i) => ({ ...RUN_SHAPE, model: `m${i + 1}`, file, harness: 'jsonl', shape: 'plain-jsonl', n: 24, cached: false })))
    expect(b.runs.map((r) => r.cached)).toEqual([true, true])
    const broken = path.join(FORMATS, 'bad', 'broken.jsonl')
    const e = await h.sameError('eval.import', { paths: [broken] })
    expect(e.code).toBe('BAD_INPUT')
    expect(e.message).toContain('broken.jsonl')
    expect((await h.sameError('eval.import', { paths: PLAIN, format: 'csv' })).message).toMatch(/^eval\.import: format: expected one of auto, /)
  },

  'eval.list': async (h) => {
    const ids = await plainRuns(h)
    const list = await h.same('eval.list', {})
    for (const r of list) expect(r).toEqual(RUN_SHAPE)
    expect(list.filter((r) => ids.includes(r.id)).map((r) => r.model).sort()).toEqual(['m1', 'm2'])
    expect((await h.sameError('eval.list', { ids })).message).toBe('eval.list: ids: unknown argument')
  },

  'eval.breakdown': async (h) => {
    const r = await h.same('eval.breakdown', { ids: await plainRuns(h) })
    expect(r).toEqual({ models: expect.any(Array), paired: expect.any(Array), warnings: [], chance: expect.any(Number) })
    expect(r.models.map((m) => m.name)).toEqual(expected.models.map((m) => m.name))
    r.models.forEach((m, i) => {
      const e = expected.models[i]!
      expect({ n: m.n, unparsed: m.unparsed }).toEqual({ n: e.n, unparsed: e.unparsed })
      expect(m.overall_weighted).toBeCloseTo(e.overall_weighted, 12)
      for (const [bin, b] of Object.entries(e.bins)) {
        const got = m.bins[bin as keyof typeof m.bins]!
        expect({ n: got.n, correct: got.correct }).toEqual({ n: b.n, correct: b.correct })
        expect(got.ci95[0]).toBeCloseTo(b.ci95[0], 12)
        expect(got.ci95[1]).toBeCloseTo(b.ci95[1], 12)
      }
    })
    for (const e of expected.paired) {
      const got = r.paired.find((p) => p.a === e.a && p.b === e.b && p.bin === e.bin)
      expect(got, `${e.a} vs ${e.b} in ${e.bin}`).toBeDefined()
      expect(got!.delta).toBeCloseTo(e.delta, 12)
      expect(got!.p_value).toBeCloseTo(e.p_value, 12)
    }
    expect(await h.sameError('eval.breakdown', { ids: 'all' })).toEqual({ code: 'BAD_INPUT', message: 'eval.breakdown: ids: expected an array, got string' })
  },

  'eval.questions': async (h) => {
    const ids = await plainRuns(h)
    const all = await h.same('eval.questions', { ids })
    expect(all).toHaveLength(24)
    for (const q of all) {
      expect(q).toEqual({ qid: expect.any(String), bin: expect.stringMatching(/^(0-30|30-60|60-100)$/), question: expect.any(String), choices: expect.any(Array), answerLetter: expect.stringMatching(/^[A-Z]$/), answers: expect.any(Object), disagree: expect.any(Boolean) })
      expect(Object.keys(q.answers).sort()).toEqual(['m1', 'm2'])
      const verdicts = Object.values(q.answers).map((a) => a.correct)
      expect(q.disagree).toBe(verdicts[0] !== verdicts[1])
    }
    const low = await h.same('eval.questions', { ids, bin: '0-30', disagreementsOnly: true })
    expect(low).toEqual(all.filter((q) => q.bin === '0-30' && q.disagree))
    expect(all.filter((q) => q.bin === '0-30')).toHaveLength(expected.models[0]!.bins['0-30']!.n)
    expect(await h.sameError('eval.questions', { ids, bin: '0-20' })).toEqual({ code: 'BAD_INPUT', message: 'eval.questions: bin: expected one of 0-30, 30-60, 60-100, got "0-20"' })
  },

  'eval.remove': async (h) => {
    // Run ids are new on every import, so each transport removes a run of its own.
    const first = (await h.inProcess.call('eval.import', { paths: [NESTED_M1] })).runs[0]!
    expect(await h.inProcess.call('eval.remove', { id: first.id })).toEqual({ removed: true })
    const second = (await h.inProcess.call('eval.import', { paths: [NESTED_M1] })).runs[0]!
    expect(second.cached).toBe(false)
    expect(await h.http.call('eval.remove', { id: second.id })).toEqual({ removed: true })
    expect(await h.same('eval.remove', { id: second.id })).toEqual({ removed: false })
    expect((await h.inProcess.call('eval.list', {})).some((r) => r.file === NESTED_M1)).toBe(false)
    expect(await h.sameError('eval.remove', { id: '' })).toEqual({ code: 'BAD_INPUT', message: 'eval.remove: id: must not be empty' })
  },

  'eval.paper': async (h) => {
    const p = await h.same('eval.paper', {})
    expect(Object.keys(p).sort()).toEqual(['categories', 'frontier', 'frontierBreakdown', 'paperSpearman', 'results7b', 'source'])
    expect(Object.keys(p.categories).sort()).toEqual(['general', 'knowledge', 'ocr_chart', 'vision_centric'])
    expect(p.frontier.length).toBeGreaterThan(0)
    expect(p.frontierBreakdown.models.length).toBeGreaterThan(0)
    expect(p.paperSpearman.rho).toHaveLength(p.paperSpearman.categories.length)
    for (const r of p.results7b) expect(Object.keys(r.scores).sort()).toEqual(['general', 'knowledge', 'ocr_chart', 'overall', 'vision_centric'])
    expect(p.source).toContain('arXiv:2509.26625')
    expect((await h.sameError('eval.paper', { table: 3 })).message).toBe('eval.paper: table: unknown argument')
  },

  'eval.vqa': async (h) => {
    // One benchmark per category, so each category score is that benchmark's score: knowledge ranks the
    // four models as general does (rho = 1), OCR in the reverse order (rho = -1).
    const models = [10, 20, 30, 40].map((g, i) => ({ name: `v${i}`, scores: { GQA: g, ScienceQA: g + 5, TextVQA: 100 - g, RealWorldQA: [3, 1, 4, 2][i]! } }))
    const r = await h.same('eval.vqa', { models })
    expect(r.spearmanError).toBeNull()
    expect(r.perModel.map((m) => [m.name, m.categories.general!.score, m.categories.knowledge!.score, m.categories.ocr_chart!.score])).toEqual(models.map((m) => [m.name, m.scores.GQA, m.scores.ScienceQA, m.scores.TextVQA]))
    expect(r.perModel[0]).toMatchObject({ avgVqa: (10 + 15 + 90 + 3) / 4, unassigned: [], categories: { general: { used: ['GQA'], missing: ['MME', 'MMBench', 'SEED'] } } })
    const s = r.spearman!
    const at = (a: string, b: string): number | null => s.rho[s.categories.indexOf(a)]![s.categories.indexOf(b)]!
    expect(at('general', 'knowledge')).toBeCloseTo(1, 12)
    expect(at('general', 'ocr_chart')).toBeCloseTo(-1, 12)
    expect(s.n).toBe(4)
    const twice = await h.sameError('eval.vqa', { models: [{ name: 'x', scores: { GQA: 1, gqa: 2 } }] })
    expect(twice).toEqual({ code: 'BAD_INPUT', message: expect.stringContaining('is given twice') })
    expect(await h.sameError('eval.vqa', { models: [{ name: 'x', scores: { GQA: '1' } }] })).toEqual({ code: 'BAD_INPUT', message: 'eval.vqa: models[0].scores.GQA: expected a finite number, got string' })
  },

  'eval.image': async (h) => {
    const folder = path.join(SHAPES, 'images')
    const file = path.join(folder, '002.png')
    const r = await h.same('eval.image', { folder, qid: '002' })
    expect(r).toEqual({ dataUrl: `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`, file })
    expect(await h.same('eval.image', { folder, qid: 'q-none' })).toEqual({ dataUrl: null, file: null })
    expect(await h.sameError('eval.image', { folder, qid: '../002' })).toEqual({ code: 'BAD_INPUT', message: '../002: question id is not a plain file name' })
  },
}
