import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appendZipMembers, deeplyNested, mkfifo, pngWithIdat, rawDeflateZeros, sparseFile, zlibZeros } from '../helpers/bombs'
import { FIXTURES, MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { errorLines, mapLimit, runCli, type CliRun } from './cli'

// The CLI against bombs, FIFOs and pathological files, all made here at test time: each bad case must
// end promptly with exit 2 and exactly one `error: ` line naming the file and the problem (no stack
// trace, no hang); the cases that are only odd must succeed and say what was read differently.
// Extraction runs on the CPU provider: these cases are about reading input, not about GPU probing.

const t = tmpDir('pl-bounds-cli-')
const ws = path.join(t.dir, 'ws')
const gen = path.join(t.dir, 'gen')
const VIT = path.join(MODELS, 'vit-tiny')
const GPT = path.join(MODELS, 'gpt-tiny')
const A10 = path.join(FIXTURES, 'bad', 'npy', 'a10.npy')
const g = (...p: string[]): string => path.join(gen, ...p)

interface Case {
  name: string
  args: string[]
  /** Exit 2 with one error line matching this, or (`ok`) exit 0 with stdout matching it. */
  expect: RegExp
  ok?: boolean
  fifo?: boolean
}

const plainRow = (over: Record<string, unknown>): string =>
  JSON.stringify({ sub_task: 'existence_0-30', question: 'Which appears?', choices: ['curtain', 'television', 'cabinet', 'mirror'], answer: 'curtain', prediction: 'A', ...over })

const cases: Case[] = [
  // FIFOs where a file is expected (each would block forever if opened for reading)
  { name: 'FIFO as captions.jsonl', fifo: true, args: ['extract', '--ep', 'cpu', '--model', GPT, '--dataset', g('fifo-ds')], expect: /fifo-ds.*captions\.jsonl: is a named pipe \(FIFO\), not a dataset file/ },
  { name: 'FIFO as an evaluation .jsonl', fifo: true, args: ['mle', g('fifo-eval.jsonl')], expect: /fifo-eval\.jsonl: is a named pipe \(FIFO\), not an evaluation file/ },
  { name: 'FIFO as a VLMEvalKit .xlsx', fifo: true, args: ['mle', g('fifo-eval.xlsx')], expect: /fifo-eval\.xlsx: is a named pipe \(FIFO\), not an evaluation file/ },
  { name: 'FIFO as a mixture .csv', fifo: true, args: ['mix', g('fifo-mix.csv')], expect: /fifo-mix\.csv: is a named pipe \(FIFO\), not a table file/ },
  { name: 'FIFO as a .npy', fifo: true, args: ['align', g('fifo.npy'), A10], expect: /fifo\.npy: is a named pipe \(FIFO\), not a \.npy file/ },
  { name: 'FIFO as a model config.json', fifo: true, args: ['layers', '--model', g('fifo-config')], expect: /fifo-config.*config\.json: is a named pipe \(FIFO\), not a JSON file/ },
  { name: 'FIFO as the model graph', fifo: true, args: ['layers', '--model', g('fifo-graph')], expect: /fifo-graph.*model\.onnx: (not a regular file|is a named pipe)/ },
  { name: 'FIFO as tokenizer.json', fifo: true, args: ['extract', '--ep', 'cpu', '--model', g('fifo-tokenizer'), '--dataset', path.join(SHAPES, 'captions.jsonl')], expect: /fifo-tokenizer.*tokenizer\.json: is a named pipe \(FIFO\), not a JSON file/ },
  // bombs
  { name: 'PNG bomb in a dataset (2 MB, 32×32, inflates to 2 GiB)', args: ['extract', '--ep', 'cpu', '--model', VIT, '--dataset', g('png-bomb')], expect: /bomb\.png: the PNG's image data inflates to more than the 3104 bytes its 32×32 header needs/ },
  { name: 'XLSX bomb as a mixture table', args: ['mix', g('bomb.xlsx')], expect: /bomb\.xlsx: archive member "xl\/media\/unused\.bin" declares 1\.0 GiB uncompressed/ },
  { name: 'XLSX bomb as a VLMEvalKit table', args: ['mle', g('bomb.xlsx')], expect: /bomb\.xlsx: archive member "xl\/media\/unused\.bin" declares 1\.0 GiB uncompressed/ },
  // nesting and sizes
  { name: '100,000 nested arrays in attributes', args: ['extract', '--ep', 'cpu', '--model', GPT, '--dataset', g('nested-attributes.jsonl')], expect: /nested-attributes\.jsonl:2: JSON nested more than 1000 levels deep/ },
  { name: '100,000 nested arrays as sub_task', args: ['mle', g('nested-subtask.jsonl')], expect: /nested-subtask\.jsonl:2: JSON nested more than 1000 levels deep/ },
  { name: 'N mismatch against a 12 GiB sparse .npy (headers only)', args: ['align', A10, g('sparse-12gib.npy')], expect: /sparse-12gib\.npy: has 12 items but .*a10\.npy has 10/ },
  // read on, with a warning
  { name: 'invalid UTF-8 in an evaluation file', ok: true, args: ['mle', g('latin1.jsonl'), '--json'], expect: /latin1\.jsonl:2: invalid UTF-8 \(the bad bytes were read as U\+FFFD\)/ },
  { name: 'an 11 MB caption in a .jsonl', ok: true, args: ['extract', '--ep', 'cpu', '--model', GPT, '--dataset', g('huge-caption.jsonl'), '--json'], expect: /huge-caption\.jsonl:2: item big: caption of 11010048 characters cut to its first 65536 characters/ },
  { name: 'a 59 MB line in a .txt dataset', ok: true, args: ['extract', '--ep', 'cpu', '--model', GPT, '--dataset', g('huge-line.txt'), '--json'], expect: /huge-line\.txt:2: item 1: caption of 58720256 bytes cut to its first 65536 characters/ },
  { name: 'a 17 MiB .jsonl manifest line', args: ['extract', '--ep', 'cpu', '--model', GPT, '--dataset', g('huge-line.jsonl')], expect: /huge-line\.jsonl:1: the line is 17\.0 MiB long, more than the 16\.0 MiB a line may have/ },
  { name: 'a 200 KB adversarial prediction', ok: true, args: ['mle', g('long-prediction.jsonl'), '--json'], expect: /"unparsed": 1/ },
  { name: 'a 100,000-column mixture table', ok: true, args: ['mix', g('wide.csv'), '--json'], expect: /"kind": "recipes"/ },
]

let haveFifo = false
const results = new Map<string, CliRun>()

async function makeGenerated(): Promise<void> {
  fs.mkdirSync(gen, { recursive: true })
  haveFifo = mkfifo(g('probe-fifo'))
  if (haveFifo) {
    fs.mkdirSync(g('fifo-ds'))
    mkfifo(g('fifo-ds', 'captions.jsonl'))
    for (const f of ['fifo-eval.jsonl', 'fifo-eval.xlsx', 'fifo-mix.csv', 'fifo.npy']) mkfifo(g(f))
    fs.mkdirSync(g('fifo-graph'))
    mkfifo(g('fifo-graph', 'model.onnx'))
    for (const [dir, fifo] of [
      ['fifo-config', 'config.json'],
      ['fifo-tokenizer', 'tokenizer.json'],
    ] as const) {
      fs.cpSync(GPT, g(dir), { recursive: true })
      fs.rmSync(g(dir, fifo))
      mkfifo(g(dir, fifo))
    }
  }
  fs.mkdirSync(g('png-bomb'))
  fs.writeFileSync(g('png-bomb', 'bomb.png'), pngWithIdat(32, 32, zlibZeros(2048)))
  fs.writeFileSync(g('png-bomb', 'captions.jsonl'), JSON.stringify({ id: 'a', image: 'bomb.png', caption: 'x' }) + '\n')

  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('results')
  sheet.addRow(['recipe', 'web %', 'code %', 'v_acc'])
  sheet.addRow(['r1', 60, 40, 0.5])
  const good = Buffer.from(await wb.xlsx.writeBuffer())
  fs.writeFileSync(g('bomb.xlsx'), appendZipMembers(good, [{ name: 'xl/media/unused.bin', data: rawDeflateZeros(1024), declaredSize: 1 << 30 }]))

  fs.writeFileSync(g('nested-attributes.jsonl'), `{"caption": "ok"}\n{"caption": "x", "attributes": {"a": ${deeplyNested(100_000)}}}\n`)
  fs.writeFileSync(g('nested-subtask.jsonl'), `${plainRow({})}\n{"sub_task": ${deeplyNested(100_000)}, "choices": ["a", "b"], "answer": "a", "prediction": "A"}\n`)
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (12, ${1 << 28}), }`
  const padded = dict + ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n'
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0])
  pre.writeUInt16LE(padded.length, 8)
  const npyHead = Buffer.concat([pre, Buffer.from(padded, 'latin1')])
  sparseFile(g('sparse-12gib.npy'), npyHead, npyHead.length + 12 * (1 << 28) * 4)

  // "café" written in Latin-1: the é is the single byte 0xE9, invalid as UTF-8
  const latin1 = Buffer.from(`${plainRow({})}\n${plainRow({ prediction: 'caf@' })}\n`)
  latin1[latin1.lastIndexOf('@')] = 0xe9
  fs.writeFileSync(g('latin1.jsonl'), latin1)
  fs.writeFileSync(g('huge-caption.jsonl'), `${JSON.stringify({ id: 'small', caption: 'a red square' })}\n${JSON.stringify({ id: 'big', caption: 'a blue circle '.repeat(3 << 18) })}\n`)
  fs.writeFileSync(g('huge-line.txt'), `a red square\n${'a blue circle '.repeat(4 << 20)}\n`)
  fs.writeFileSync(g('huge-line.jsonl'), `${JSON.stringify({ caption: 'x'.repeat((17 << 20) - 15) })}\n`)
  fs.writeFileSync(g('long-prediction.jsonl'), `${plainRow({ prediction: `the answer is${' '.repeat(200_000)}x` })}\n`)
  const cols = 100_000
  const header = ['recipe', 'web', 'code', ...Array.from({ length: cols }, (_, j) => `m${j}`)].join(',')
  const rows = [0, 1, 2].map((r) => [`r${r}`, 40 + 10 * r, 60 - 10 * r, ...Array.from({ length: cols }, (_, j) => (r * 31 + j) % 89)].join(','))
  fs.writeFileSync(g('wide.csv'), [header, ...rows].join('\n') + '\n')
}

beforeAll(async () => {
  await makeGenerated()
  const init = await runCli(['cache', 'verify', '--data', ws])
  expect(init.code, init.stderr).toBe(0)
  const todo = cases.filter((c) => !c.fifo || haveFifo)
  await mapLimit(todo, 3, async (c) => {
    results.set(c.name, await runCli([...c.args, '--data', ws], { timeoutMs: 120_000 }))
  })
}, 600_000)

afterAll(() => t.cleanup())

describe('bounded input through the CLI: bombs, FIFOs, deep nesting, huge lines and tables', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.fifo && !haveFifo) return console.warn(`skipped "${c.name}": mkfifo is not available here`)
    const r = results.get(c.name)!
    expect(r.timedOut, `${c.name}: the CLI did not finish (a FIFO opened? a bomb inflated?)`).toBe(false)
    const { errors, stack } = errorLines(r.stderr)
    expect(stack, r.stderr).toEqual([])
    if (c.ok) {
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(c.expect)
      return
    }
    expect(r.code, r.stderr).toBe(2)
    expect(errors, r.stderr).toHaveLength(1)
    expect(errors[0]).toMatch(c.expect)
  })
})
