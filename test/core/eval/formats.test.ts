import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBenchmark, readEvalFile } from '../../../src-main/core/eval/import/readEvalFile'
import type { ReadResult } from '../../../src-main/core/eval/import/readEvalFile'
import { mleBreakdown, summaryBreakdown } from '../../../src-main/core/eval/mleBreakdown'
import type { EvalFormat, EvalRow } from '../../../src-main/core/eval/types'
import { FIXTURES } from '../../helpers/fixtures'

// Every file under formats/ encodes the same answers; expected_breakdown.json was computed from
// hand-labelled letters by make_eval_fixtures.py (scipy for the McNemar p-values).
const F = path.join(FIXTURES, 'eval', 'formats')
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'eval', 'expected_breakdown.json'), 'utf8')) as {
  models: { name: string; n: number; bins: Record<string, { n: number; correct: number; acc: number; ci95: [number, number] }>; overall_weighted: number; overall_unweighted: number; unparsed: number }[]
  paired: { a: string; b: string; bin: string; n: number; delta: number; p_value: number }[]
}
const benchmark = readBenchmark(path.join(F, 'data.jsonl'))
let tmp = ''

async function writeXlsx(fromJson: string, to: string): Promise<void> {
  const recs = JSON.parse(fs.readFileSync(fromJson, 'utf8')) as Record<string, string | number>[]
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Sheet1')
  const cols = Object.keys(recs[0]!)
  ws.addRow(cols)
  for (const r of recs) ws.addRow(cols.map((c) => r[c]))
  await wb.xlsx.writeFile(to)
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-eval-'))
  for (const m of ['m1', 'm2']) await writeXlsx(path.join(F, 'vlmevalkit', `${m}_MLE.json`), path.join(tmp, `${m}_MLE.xlsx`))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

type Variant = { name: string; files: (m: string) => string; format?: EvalFormat; join?: boolean; harness: string; shape: string; judge?: string }
const variants: Variant[] = [
  { name: 'lmms-eval nested', files: (m) => path.join(F, 'lmms_nested', `${m}_samples_mle_bench.jsonl`), harness: 'lmms-eval', shape: 'samples-nested' },
  { name: 'lmms-eval flat + data.jsonl', files: (m) => path.join(F, 'lmms_flat', `${m}_samples_mle_bench.jsonl`), join: true, harness: 'lmms-eval', shape: 'samples-flat' },
  { name: 'VLMEvalKit tsv', files: (m) => path.join(F, 'vlmevalkit', `${m}_MLE.tsv`), harness: 'vlmevalkit', shape: 'tsv' },
  { name: 'VLMEvalKit csv judge result', files: (m) => path.join(F, 'vlmevalkit', `${m}_MLE_exact_matching_result.csv`), harness: 'vlmevalkit', shape: 'csv', judge: 'exact_matching' },
  { name: 'VLMEvalKit json', files: (m) => path.join(F, 'vlmevalkit', `${m}_MLE.json`), harness: 'vlmevalkit', shape: 'json' },
  { name: 'VLMEvalKit xlsx', files: (m) => path.join(tmp, `${m}_MLE.xlsx`), harness: 'vlmevalkit', shape: 'xlsx' },
  { name: 'Cambrian', files: (m) => path.join(F, 'cambrian', `${m}_answers.jsonl`), harness: 'cambrian', shape: 'answers-jsonl' },
  { name: 'plain jsonl', files: (m) => path.join(F, 'plain', `${m}.jsonl`), harness: 'jsonl', shape: 'plain-jsonl' },
  { name: 'plain jsonl + data.jsonl', files: (m) => path.join(F, 'plain_join', `${m}.jsonl`), join: true, harness: 'jsonl', shape: 'plain-jsonl+data' },
]

async function rowsOf(v: Variant, format: EvalFormat = 'auto'): Promise<EvalRow[]> {
  const out: EvalRow[] = []
  for (const m of ['m1', 'm2']) {
    const r = await readEvalFile(v.files(m), format, { model: m, benchmark: v.join ? benchmark : undefined })
    expect(r.kind).toBe('rows')
    if (r.kind === 'rows') {
      expect(r.source).toMatchObject({ harness: v.harness, shape: v.shape, judge: v.judge ?? null })
      expect(r.warnings).toEqual([])
      out.push(...r.rows)
    }
  }
  return out
}

const closeTo = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-12)

describe('every format gives the same breakdown for the same answers', () => {
  it.each(variants)('$name', async (v) => {
    const res = mleBreakdown(await rowsOf(v))
    expect(res.warnings).toEqual([])
    expect(res.models.map((m) => m.name)).toEqual(['m1', 'm2'])
    res.models.forEach((m, i) => {
      const e = expected.models[i]!
      expect({ n: m.n, unparsed: m.unparsed }).toEqual({ n: e.n, unparsed: e.unparsed })
      closeTo(m.overall_weighted, e.overall_weighted)
      closeTo(m.overall_unweighted, e.overall_unweighted)
      for (const [k, b] of Object.entries(e.bins)) {
        const got = m.bins[k as '0-30']!
        expect({ n: got.n, correct: got.correct }).toEqual({ n: b.n, correct: b.correct })
        closeTo(got.acc, b.acc)
        closeTo(got.ci95[0], b.ci95[0])
        closeTo(got.ci95[1], b.ci95[1])
      }
    })
    expect(res.paired.length).toBe(expected.paired.length)
    res.paired.forEach((p, i) => {
      const e = expected.paired[i]!
      expect({ a: p.a, b: p.b, bin: p.bin, n: p.n }).toEqual({ a: e.a, b: e.b, bin: e.bin, n: e.n })
      closeTo(p.delta, e.delta)
      expect(Math.abs(p.p_value - e.p_value)).toBeLessThan(1e-10)
    })
  })

  it('explicit --format gives the same rows as auto', async () => {
    const auto = await rowsOf(variants[0]!)
    const forced = await rowsOf(variants[0]!, 'lmms-eval')
    expect(forced.map((r) => r.correct)).toEqual(auto.map((r) => r.correct))
  })

  it('keeps per-question details and provenance', async () => {
    const rows = await rowsOf(variants[1]!)
    const r = rows.find((x) => x.model === 'm1' && x.qid === '4')!
    expect(r).toMatchObject({ bin: '0-30', binLabel: 'existence_0-30', choices: ['red car', 'car', 'lamp', 'sofa'], answer_letter: 'A', pred_letter: 'A', rule: 'contains', correct: true, file_correct: true })
  })

  it("'file' verdict policy follows the judge's hit column", async () => {
    const csv = path.join(F, 'vlmevalkit', 'm1_MLE_exact_matching_result.csv')
    const text = fs.readFileSync(csv, 'utf8').split('\n')
    // flip the judge's verdict on the first question only
    const cells = text[1]!.split(',')
    cells[cells.length - 1] = cells[cells.length - 1] === '1' ? '0' : '1'
    text[1] = cells.join(',')
    const flipped = path.join(tmp, 'm1_MLE_gpt-4o_result.csv')
    fs.writeFileSync(flipped, text.join('\n'))
    const re = (await readEvalFile(flipped, 'auto', { model: 'm1' })) as Extract<ReadResult, { kind: 'rows' }>
    expect(re.source.judge).toBe('gpt-4o')
    expect(re.warnings[0]).toMatch(/gpt-4o judge's own verdict differs from the re-parsed answer on 1 of 24/)
    const kept = (await readEvalFile(flipped, 'auto', { model: 'm1', verdict: 'file' })) as Extract<ReadResult, { kind: 'rows' }>
    expect(kept.rows[0]!.correct).toBe(!re.rows[0]!.correct)
    expect(kept.rows.slice(1).map((r) => r.correct)).toEqual(re.rows.slice(1).map((r) => r.correct))
  })
})

describe('lmms-eval results summary', () => {
  it('uses published bin sizes, correct = round(acc·n)', async () => {
    const r = await readEvalFile(path.join(F, 'lmms_results', 'full_results.json'))
    expect(r.kind).toBe('summary')
    if (r.kind !== 'summary') return
    const b = summaryBreakdown(r)
    // 0.6872·732 = 503.03 → 503; 0.851·698 = 593.998 → 594; 0.8794·431 = 379.02 → 379
    expect([b.bins['0-30']!.correct, b.bins['30-60']!.correct, b.bins['60-100']!.correct]).toEqual([503, 594, 379])
    expect(b.n).toBe(1861)
    expect(b.estimated).toBe(true)
    closeTo(b.overall_weighted, (503 + 594 + 379) / 1861)
  })
  it('refuses a partial run that has no per-bin counts', async () => {
    await expect(readEvalFile(path.join(F, 'lmms_results', 'partial_results.json'))).rejects.toThrow(/ran on 24 questions.*samples_mle_bench\.jsonl/)
  })
})

describe('malformed and unknown files', () => {
  const bad = (f: string): string => path.join(F, 'bad', f)
  it.each([
    ['unknown.jsonl', /unrecognised evaluation file \(keys foo, bar\); expected one of: lmms-eval .*VLMEvalKit .*Cambrian .*plain/],
    ['broken.jsonl', /broken\.jsonl:2: not valid JSON/],
    ['no_columns.csv', /not a VLMEvalKit table; expected columns index, question, A, B, C, D, answer, category, prediction.*found a, b, c/],
    ['bad_bin.jsonl', /bad_bin\.jsonl:1: object-size label "existence_big"; expected sub_task\/category 'existence_0-30'/],
    ['bad_answer.jsonl', /bad_answer\.jsonl:1: correct answer "zebra" is neither a letter A–D nor one of the choices/],
    ['notes.txt', /unsupported extension '\.txt'; expected one of/],
    ['missing.jsonl', /no such file/],
  ])('%s', async (f, re) => {
    await expect(readEvalFile(bad(f))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(re) })
  })
  it('recognises the benchmark data given as an evaluation file', async () => {
    await expect(readEvalFile(path.join(F, 'data.jsonl'))).rejects.toThrow(/benchmark's own data/)
  })
  it('a flat lmms-eval file without doc or data.jsonl still scores letters but cannot read option texts', async () => {
    const r = (await readEvalFile(path.join(F, 'lmms_flat', 'm1_samples_mle_bench.jsonl'))) as Extract<ReadResult, { kind: 'rows' }>
    // option-text answers fall back to lmms-eval's own extracted letter (rule 'file-letter')
    expect(r.rows.some((x) => x.rule === 'file-letter')).toBe(true)
    expect(r.rows[0]!.choices).toBeNull()
  })
})
