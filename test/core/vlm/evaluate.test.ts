import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/common/errors'
import { listEvalRuns } from '../../../src-main/core/eval/evalStore'
import { evaluateVlm, type AnswerLine } from '../../../src-main/core/vlm/evaluate'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES, REPO_ROOT } from '../../helpers/fixtures'
import { writeShapesBenchmark } from '../../helpers/shapesBenchmark'
import { tmpDir } from '../../helpers/tmp'

const MODEL = path.join(FIXTURES, 'vlm', 'tiny-llava')
const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')
const t = tmpDir('pl-evaluate-')
let bench: string
let ws: Workspace
beforeAll(() => {
  bench = writeShapesBenchmark(path.join(t.dir, 'bench'), 24).dir
  ws = Workspace.open(path.join(t.dir, 'ws'))
})
afterAll(() => {
  ws.close()
  t.cleanup()
})

const lines = (file: string): AnswerLine[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AnswerLine)

describe('evaluate', () => {
  let full: Awaited<ReturnType<typeof evaluateVlm>>
  it('answers every question and stores a run the MLE-Bench breakdown reads', async () => {
    full = await evaluateVlm(ws, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 5 })
    expect(full.questions).toEqual({ total: 24, resumed: 0, answered: 24 })
    const m = full.breakdown.models[0]!
    expect(m.name).toBe('tiny-llava')
    expect(m.n).toBe(24)
    expect(Object.keys(m.bins).sort()).toEqual(['0-30', '30-60', '60-100'])
    const answers = lines(full.answers)
    expect(answers.map((a) => a.index)).toEqual([...Array(24).keys()])
    // Every verdict is the parser's: the letter it found against the correct option's letter.
    for (const a of answers) expect(a.correct).toBe(a.pred_letter !== null && a.choices[a.pred_letter.charCodeAt(0) - 65] === a.answer)
    expect(m.bins['0-30']!.correct + m.bins['30-60']!.correct + m.bins['60-100']!.correct).toBe(answers.filter((a) => a.correct).length)
    expect(full.timing.generated_tokens).toBe(answers.reduce((s, a) => s + a.generated_tokens, 0))
    expect(full.prompt.example).toMatch(/^<\|im_start\|>user\n<image>\nWhich of these shapes is in the image\?\nA\. /)
    expect(full.settings).toMatchObject({ blind: false, max_new_tokens: 16, batch: 5 })
  })

  it('gives the same answers whatever the batch size', async () => {
    const other = Workspace.open(path.join(t.dir, 'ws-batch1'))
    try {
      const r = await evaluateVlm(other, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 1 })
      expect(lines(r.answers).map((a) => a.prediction)).toEqual(lines(full.answers).map((a) => a.prediction))
    } finally {
      other.close()
    }
  })

  it('resumes after a cancel, keeping the answered questions, and ends with the same answers', async () => {
    const fresh = Workspace.open(path.join(t.dir, 'ws-resume'))
    try {
      const ac = new AbortController()
      let seen = 0
      const err = await evaluateVlm(fresh, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 4 }, {
        signal: ac.signal,
        onProgress: () => {
          if (++seen === 2) ac.abort()
        },
      }).catch((e: unknown) => e)
      expect(isAppError(err) && err.code === 'CANCELLED').toBe(true)
      expect(listEvalRuns(fresh)).toEqual([])
      // A crash mid-write leaves a torn last line; it is cut off and that question asked again.
      const file = fs.readdirSync(path.join(fresh.dir, 'evaluations')).map((d) => path.join(fresh.dir, 'evaluations', d, 'answers.jsonl'))[0]!
      expect(lines(file)).toHaveLength(8)
      fs.appendFileSync(file, '{"index": 8, "predic')
      const r = await evaluateVlm(fresh, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 4 })
      expect(r.questions).toEqual({ total: 24, resumed: 8, answered: 16 })
      expect(lines(r.answers).map((a) => a.prediction)).toEqual(lines(full.answers).map((a) => a.prediction))
    } finally {
      fresh.close()
    }
  })

  it('a finished evaluation asked again is the same run, computed no more', async () => {
    const again = await evaluateVlm(ws, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 5 })
    expect(again.run_id).toBe(full.run_id)
    expect(again.questions.resumed).toBe(24)
    expect(again.timing.generated_tokens).toBe(0)
  })

  it('blind mode asks without the image, as a run of its own beside the normal one', async () => {
    const blind = await evaluateVlm(ws, { modelPath: MODEL, benchmarkPath: bench, ep: 'cpu', batch: 8, blind: true })
    expect(blind.run_id).not.toBe(full.run_id)
    expect(blind.breakdown.models[0]!.name).toBe('tiny-llava (blind)')
    expect(blind.prompt.example).not.toContain('<image>')
    expect(lines(blind.answers).map((a) => a.prediction)).not.toEqual(lines(full.answers).map((a) => a.prediction))
    expect(listEvalRuns(ws).map((r) => r.model).sort()).toEqual(['tiny-llava', 'tiny-llava (blind)'])
  })
})

describe('evaluate on the command line', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: t.dir, encoding: 'utf8', timeout: 240_000 })

  it('prints the mle JSON plus run, prompt, settings and timing, and --out is a file mle imports alike', () => {
    const out = path.join(t.dir, 'answers.jsonl')
    const r = cli(['evaluate', '--model', MODEL, '--benchmark', bench, '--limit', '6', '--batch', '3', '--ep', 'cpu', '--data', path.join(t.dir, 'ws-cli'), '--out', out, '--json'])
    expect(r.status, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout) as Record<string, unknown> & { models: { n: number; bins: unknown }[]; timing: { tokens_per_s: number } }
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['models', 'paired', 'run_id', 'prompt', 'settings', 'timing']))
    expect(j.models[0]!.n).toBe(6)
    expect(j.timing.tokens_per_s).toBeGreaterThan(0)
    expect(lines(out)).toHaveLength(6)
    const m = cli(['mle', out, '--json'])
    expect(m.status, m.stderr).toBe(0)
    expect((JSON.parse(m.stdout) as typeof j).models[0]!.bins).toEqual(j.models[0]!.bins)
    const again = cli(['evaluate', '--model', MODEL, '--benchmark', bench, '--limit', '6', '--data', path.join(t.dir, 'ws-cli'), '--out', out])
    expect(again.status).toBe(2)
    expect(again.stderr.trim()).toMatch(/^error: .*answers\.jsonl: already exists; pass --force/)
  })

  it('a named pipe as data.jsonl is refused, not waited on; invalid UTF-8 in a question is a warning naming the line', async () => {
    const fifo = path.join(t.dir, 'fifo-bench')
    fs.mkdirSync(fifo)
    spawnSync('mkfifo', [path.join(fifo, 'data.jsonl')])
    const a = cli(['evaluate', '--model', MODEL, '--benchmark', fifo, '--data', path.join(t.dir, 'ws-bad')])
    expect(a.status).toBe(2)
    expect(a.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*data\.jsonl: is a named pipe/)])
    const latin = path.join(t.dir, 'latin-bench')
    fs.cpSync(bench, latin, { recursive: true })
    const data = fs.readFileSync(path.join(latin, 'data.jsonl'), 'utf8').split('\n').slice(0, 2)
    const bad = Buffer.concat([Buffer.from(data[0]!.replace('Which of these', 'Which of th\u00e9se'), 'latin1'), Buffer.from('\n' + data[1]! + '\n')])
    fs.writeFileSync(path.join(latin, 'data.jsonl'), bad)
    const r = await evaluateVlm(ws, { modelPath: MODEL, benchmarkPath: latin, ep: 'cpu' })
    expect(r.questions.total).toBe(2)
    expect(r.breakdown.warnings).toContainEqual(expect.stringMatching(/data\.jsonl:1: invalid UTF-8/))
  })

  it('a model or benchmark it cannot use is exit 2 with one error line', () => {
    const a = cli(['evaluate', '--model', path.join(REPO_ROOT, 'resources', 'demo', 'models', 'gpt-tiny'), '--benchmark', bench, '--data', path.join(t.dir, 'ws-bad')])
    expect(a.status).toBe(2)
    expect(a.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*not a LLaVA-style vision-language export/)])
    const bad = path.join(t.dir, 'bad-bench')
    fs.mkdirSync(bad)
    fs.writeFileSync(path.join(bad, 'data.jsonl'), '{"question": "q?", "choices": ["a", "b"], "answer": "a", "image": "../../etc/passwd"}\n')
    const b = cli(['evaluate', '--model', MODEL, '--benchmark', bad, '--data', path.join(t.dir, 'ws-bad')])
    expect(b.status).toBe(2)
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*data\.jsonl:1: image .* (not found|leaves the benchmark folder)/)])
  })
})
