import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { breakdownFor, deleteEvalRun, importEvalFiles, listEvalRuns, rowsFor } from '../../../src-main/core/eval/evalStore'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES } from '../../helpers/fixtures'

const F = path.join(FIXTURES, 'eval', 'formats')
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'eval', 'expected_breakdown.json'), 'utf8')) as {
  models: { bins: Record<string, { correct: number }>; overall_weighted: number }[]
  paired: { bin: string; p_value: number }[]
}
let dir = ''
let ws: Workspace

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-evalstore-'))
  ws = Workspace.open(dir)
})
afterEach(() => {
  ws.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('eval store', () => {
  it('imports, lists, derives the breakdown from stored rows, caches and deletes', async () => {
    const files = [path.join(F, 'lmms_flat', 'm1_samples_mle_bench.jsonl'), path.join(F, 'cambrian', 'm2_answers.jsonl')]
    const { runs } = await importEvalFiles(ws, files, { benchmark: path.join(F, 'data.jsonl'), models: ['m1'] })
    expect(runs.map((r) => [r.model, r.harness, r.shape, r.cached])).toEqual([
      ['m1', 'lmms-eval', 'samples-flat', false],
      ['m2', 'cambrian', 'answers-jsonl', false],
    ])
    expect(listEvalRuns(ws).map((r) => r.n)).toEqual([24, 24])
    const res = breakdownFor(ws, runs.map((r) => r.id))
    expect(res.models.map((m) => m.bins['0-30']!.correct)).toEqual(expected.models.map((m) => m.bins['0-30']!.correct))
    expect(res.models[1]!.overall_weighted).toBeCloseTo(expected.models[1]!.overall_weighted, 12)
    expect(res.paired.map((p) => p.p_value)).toEqual(expected.paired.map((p) => p.p_value).map((p) => expect.closeTo(p, 10)))
    expect(rowsFor(ws, [runs[0]!.id])[4]).toMatchObject({ qid: '4', choices: ['red car', 'car', 'lamp', 'sofa'], rule: 'contains', file_correct: true })

    const again = await importEvalFiles(ws, files.slice(0, 1), { benchmark: path.join(F, 'data.jsonl'), models: ['m1'] })
    expect(again.runs[0]).toMatchObject({ id: runs[0]!.id, cached: true })
    expect(listEvalRuns(ws)).toHaveLength(2)

    expect(deleteEvalRun(ws, runs[0]!.id)).toBe(true)
    expect(deleteEvalRun(ws, runs[0]!.id)).toBe(false)
    expect((ws.db.prepare('SELECT COUNT(*) AS c FROM eval_rows').get() as { c: number }).c).toBe(24)
    expect(() => breakdownFor(ws, [runs[0]!.id])).toThrow(/not in this workspace/)
  })

  it('a bad file in the batch leaves the workspace unchanged', async () => {
    await expect(importEvalFiles(ws, [path.join(F, 'plain', 'm1.jsonl'), path.join(F, 'bad', 'bad_bin.jsonl')])).rejects.toThrow(/existence_big/)
    expect(listEvalRuns(ws)).toEqual([])
  })

  it('refuses a results summary (no per-question rows)', async () => {
    await expect(importEvalFiles(ws, [path.join(F, 'lmms_results', 'full_results.json')])).rejects.toThrow(/without per-question rows/)
  })

  it('two runs under one label get distinct names', async () => {
    const { runs } = await importEvalFiles(ws, [path.join(F, 'plain', 'm1.jsonl'), path.join(F, 'vlmevalkit', 'm1_MLE.tsv')], { models: ['m', 'm'] })
    const res = breakdownFor(ws, runs.map((r) => r.id))
    expect(res.models.map((m) => m.name)).toEqual(['m', 'm (2)'])
    expect(res.paired.find((p) => p.bin === 'overall')).toMatchObject({ delta: 0, p_value: 1 })
  })
})
