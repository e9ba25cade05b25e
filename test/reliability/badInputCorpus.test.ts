import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildModel, FLOAT, INT64 } from '../../src-main/core/onnx/kernels/graphBuilder'
import { BROKEN_MODELS, FIXTURES, MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { errorLines, mapLimit, runCli, type CliRun } from './cli'

// Every input path of the CLI against a corpus of bad input: each case must end with exit code 2, exactly
// one `error: ` line that matches `expect` (naming the file or flag and the problem), and no stack trace.
// Small files are committed in test/fixtures/bad (made by make_bad.py); FIFOs, symlinks and generated
// models are made here in a temp folder. The CLI starts once per case, three at a time.

const BAD = path.join(FIXTURES, 'bad')
const NPY = path.join(BAD, 'npy')
const DS = path.join(BAD, 'datasets')
const VIT = path.join(MODELS, 'vit-tiny')
const GPT = path.join(MODELS, 'gpt-tiny')

interface Case {
  name: string
  args: string[]
  expect: RegExp
  /** Needs a FIFO (mkfifo); skipped where there is none. */
  fifo?: boolean
}

const t = tmpDir('pl-bad-')
const ws = path.join(t.dir, 'ws')
const gen = path.join(t.dir, 'gen')
// A FIFO outside every dataset: opening it for reading would block until a writer comes, so a case that
// returns promptly proves the CLI never opened it (and never read what it stands for).
const secret = path.join(gen, 'secret-never-read.png')
let haveFifo = false

const cases: Case[] = [
  // models
  { name: 'truncated .onnx (layers)', args: ['layers', '--model', path.join(BROKEN_MODELS, 'truncated.onnx')], expect: /truncated\.onnx: not a valid ONNX model/ },
  { name: 'not an ONNX file (layers)', args: ['layers', '--model', path.join(BROKEN_MODELS, 'not-onnx.onnx')], expect: /not-onnx\.onnx: not a valid ONNX model/ },
  { name: 'truncated .onnx (extract)', args: ['extract', '--model', path.join(BROKEN_MODELS, 'truncated.onnx'), '--dataset', SHAPES], expect: /truncated\.onnx: not a valid ONNX model/ },
  { name: 'not an ONNX file (extract)', args: ['extract', '--model', path.join(BROKEN_MODELS, 'not-onnx.onnx'), '--dataset', SHAPES], expect: /not-onnx\.onnx: not a valid ONNX model/ },
  { name: 'empty .onnx file', args: ['layers', '--model', path.join(gen, 'empty.onnx')], expect: /empty\.onnx: .*(empty|not a valid ONNX)/ },
  { name: 'model folder without a graph', args: ['extract', '--model', path.join(gen, 'no-graph'), '--dataset', SHAPES], expect: /no-graph: no \.onnx file/ },
  { name: 'vision model with an unexpected input name and no preprocessing', args: ['extract', '--model', path.join(BROKEN_MODELS, 'wrong-input-name'), '--dataset', SHAPES], expect: /wrong-input-name.*model\.onnx: vision model without image preprocessing/ },
  { name: 'text model with a fixed-length (static) key/value cache', args: ['extract', '--model', path.join(gen, 'text-with-past'), '--dataset', path.join(SHAPES, 'captions.jsonl')], expect: /text-with-past.*model\.onnx: past_key_values\.0\.key \[batch, 4, 128, 16\]: no dimension is the past length/ },
  { name: 'model whose only input is neither image nor text', args: ['extract', '--model', path.join(gen, 'odd-input.onnx'), '--dataset', SHAPES], expect: /odd-input\.onnx: cannot tell whether this is a vision or a text model \(inputs: features\)/ },
  { name: 'dataset that does not exist', args: ['extract', '--model', VIT, '--dataset', path.join(DS, 'not-there.jsonl')], expect: /not-there\.jsonl: dataset not found/ },
  { name: 'vision model on a captions-only dataset', args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'captions-only.txt')], expect: /captions-only\.txt: the model is a vision model but this dataset has no image/ },
  { name: 'unknown --layers name', args: ['extract', '--model', GPT, '--dataset', SHAPES, '--layers', 'no_such_tensor'], expect: /--layers: no output or tappable tensor named "no_such_tensor"/ },
  { name: 'bad --batch', args: ['extract', '--model', GPT, '--dataset', SHAPES, '--batch', '0'], expect: /--batch/ },
  // datasets
  { name: 'missing image', args: ['extract', '--model', VIT, '--dataset', path.join(DS, 'missing-image')], expect: /missing-image.*captions\.jsonl: item b: image .*not-there\.png not found/ },
  { name: 'undecodable image', args: ['extract', '--model', VIT, '--dataset', path.join(DS, 'undecodable-image')], expect: /garbage\.png: not a PNG or JPEG image/ },
  // The pipelined extractor decodes batch b+1 while batch b runs: a bad image there once crashed the
  // process with "Session already disposed" and a stack trace.
  { name: 'undecodable image in a later batch', args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'late-bad-image'), '--batch', '8'], expect: /img17\.png: not a PNG or JPEG image/ },
  { name: 'image path with ../', args: ['extract', '--model', VIT, '--dataset', path.join(DS, 'escape-dotdot')], expect: /escape-dotdot.*captions\.jsonl:1: image path "\.\.\/outside\.png" leaves the dataset folder/ },
  { name: 'absolute image path /etc/passwd', args: ['extract', '--model', VIT, '--dataset', path.join(DS, 'escape-absolute')], expect: /escape-absolute.*captions\.jsonl:1: image path "\/etc\/passwd" is absolute/ },
  { name: '../ to a FIFO outside the dataset', fifo: true, args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'ds-dotdot')], expect: /ds-dotdot.*captions\.jsonl:1: image path "\.\.\/secret-never-read\.png" leaves the dataset folder/ },
  { name: 'absolute path to a FIFO', fifo: true, args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'ds-absolute')], expect: /ds-absolute.*captions\.jsonl:1: image path ".*secret-never-read\.png" is absolute/ },
  { name: 'symlink inside the dataset to a FIFO outside', fifo: true, args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'ds-link')], expect: /ds-link.*item a: image .*link\.png is a link that points outside the dataset folder/ },
  { name: 'image folder with a symlink to a FIFO outside', fifo: true, args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'ds-image-folder-link')], expect: /ds-image-folder-link: item a: image .*a\.png is a link that points outside the dataset folder/ },
  { name: 'FIFO named .png inside the dataset', fifo: true, args: ['extract', '--model', VIT, '--dataset', path.join(gen, 'ds-fifo-inside')], expect: /ds-fifo-inside.*item p: image .*pipe\.png is not a file/ },
  { name: 'malformed JSONL line', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'malformed.jsonl')], expect: /malformed\.jsonl:2: malformed JSON line/ },
  { name: 'JSONL line that is not an object', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'not-object.jsonl')], expect: /not-object\.jsonl:2: each line must be a JSON object/ },
  { name: 'malformed CSV (unterminated quote)', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'malformed.csv')], expect: /malformed\.csv: (line 3: a quoted field is never closed|unterminated quoted field starting on line 3)/ },
  { name: 'CSV row with too many fields', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'wrong-fields.csv')], expect: /wrong-fields\.csv:3: expected 2 fields, got 4/ },
  { name: 'CSV without image or caption column', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'no-caption-column.csv')], expect: /no-caption-column\.csv: the header must name an image and\/or caption column/ },
  { name: 'empty .txt dataset', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'empty.txt')], expect: /empty\.txt: the dataset is empty/ },
  { name: 'blank .jsonl dataset', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'empty.jsonl')], expect: /empty\.jsonl: the dataset is empty/ },
  { name: 'duplicate ids', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'duplicate-ids.jsonl')], expect: /duplicate-ids\.jsonl: duplicate id "a"/ },
  { name: 'unknown dataset format', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'captions.parquet')], expect: /captions\.parquet: unknown dataset format "\.parquet"/ },
  { name: 'text model on an image-only folder', args: ['extract', '--model', GPT, '--dataset', path.join(DS, 'undecodable-image', 'images')], expect: /images: the model is a text model but this dataset has no caption/ },
  // align
  { name: 'mismatched N', args: ['align', path.join(NPY, 'a10.npy'), path.join(NPY, 'b12.npy')], expect: /b12\.npy: has 12 items but .*a10\.npy has 10/ },
  { name: 'NaN in .npy', args: ['align', path.join(NPY, 'nan.npy'), path.join(NPY, 'a10.npy')], expect: /nan\.npy: NaN at item 3, dim 2/ },
  { name: 'Inf in float64 .npy', args: ['align', path.join(NPY, 'a10.npy'), path.join(NPY, 'inf.npy'), '--metrics', 'cka'], expect: /inf\.npy: Inf at item 7, dim 0/ },
  { name: 'k >= N', args: ['align', path.join(NPY, 'a10.npy'), path.join(NPY, 'a10.npy'), '--k', '10'], expect: /--k: k=10 must be less than the number of items N=10/ },
  { name: 'constant features', args: ['align', path.join(NPY, 'constant.npy'), path.join(NPY, 'a10.npy'), '--metrics', 'all'], expect: /constant\.npy: every item has identical features/ },
  { name: 'huge shape claimed by a tiny .npy', args: ['align', path.join(NPY, 'huge-shape.npy'), path.join(NPY, 'a10.npy')], expect: /huge-shape\.npy: truncated data: shape \(4000000000, 100000\)/ },
  { name: 'huge 3-D shape in a format 2.0 header', args: ['align', path.join(gen, 'huge-3d.npy'), path.join(NPY, 'a10.npy')], expect: /huge-3d\.npy: truncated data: shape \(1099511627776, 3, 1048576\)/ },
  { name: 'truncated .npy data', args: ['align', path.join(NPY, 'truncated.npy'), path.join(NPY, 'a10.npy')], expect: /truncated\.npy: truncated data: shape \(10, 4\) needs 160 bytes, file has 140/ },
  { name: 'not an .npy file', args: ['align', path.join(NPY, 'not-npy.npy'), path.join(NPY, 'a10.npy')], expect: /not-npy\.npy: not a NumPy \.npy file/ },
  { name: 'integer .npy', args: ['align', path.join(NPY, 'int64.npy'), path.join(NPY, 'a10.npy')], expect: /int64\.npy: expected float32 or float64 \(<f4 or <f8\), got <i8/ },
  { name: '1-D .npy', args: ['align', path.join(NPY, 'one-d.npy'), path.join(NPY, 'a10.npy')], expect: /one-d\.npy: expected a 2-D \[N, D\] or 3-D \[N, L, D\] array, got shape \(10\)/ },
  { name: 'unknown metric', args: ['align', path.join(NPY, 'a10.npy'), path.join(NPY, 'a10.npy'), '--metrics', 'mutual_knn,cosine'], expect: /--metrics: unknown metric "cosine"/ },
  // mix
  { name: 'mix: random bytes as .xlsx', args: ['mix', path.join(BAD, 'mix', 'garbage.xlsx')], expect: /garbage\.xlsx: not a readable \.xlsx workbook/ },
  { name: 'mix: zip header but not a workbook', args: ['mix', path.join(BAD, 'mix', 'zip-not-xlsx.xlsx')], expect: /zip-not-xlsx\.xlsx: not a readable \.xlsx workbook/ },
  { name: 'mix: non-numeric cell', args: ['mix', path.join(BAD, 'mix', 'non-numeric.csv')], expect: /non-numeric\.csv: row 3 \(r2\), column "code %": expected a number, got "twenty"/ },
  { name: 'mix: malformed JSON', args: ['mix', path.join(BAD, 'mix', 'malformed.json')], expect: /malformed\.json: not valid JSON/ },
  { name: 'mix: header only', args: ['mix', path.join(BAD, 'mix', 'header-only.csv')], expect: /header-only\.csv: has a header but no data rows/ },
  // mle
  { name: 'mle: unknown --format', args: ['mle', '--format', 'parquet', path.join(BAD, 'eval', 'unknown-shape.jsonl')], expect: /--format: expected one of auto, lmms-eval, vlmevalkit, cambrian, jsonl, got parquet/ },
  { name: 'mle: unrecognised evaluation records', args: ['mle', path.join(BAD, 'eval', 'unknown-shape.jsonl')], expect: /unknown-shape\.jsonl: unrecognised evaluation file \(keys foo, bar\)/ },
  { name: 'mle: unknown extension', args: ['mle', path.join(BAD, 'eval', 'results.unknown')], expect: /results\.unknown: unsupported extension '\.unknown'/ },
  { name: 'mle: bad JSONL line', args: ['mle', path.join(BAD, 'eval', 'bad-line.jsonl')], expect: /bad-line\.jsonl:2: not valid JSON/ },
  { name: 'mle: random bytes as .xlsx', args: ['mle', path.join(BAD, 'eval', 'garbage.xlsx')], expect: /garbage\.xlsx: cannot be read as an \.xlsx workbook/ },
  // the workspace itself and usage
  { name: '--data is a file', args: ['cache', 'verify', '--data', path.join(NPY, 'a10.npy')], expect: /a10\.npy.*(is a file|cannot create)/ },
  { name: '--data holds a database that is not SQLite', args: ['cache', 'verify', '--data', path.join(gen, 'not-a-workspace')], expect: /workspace\.sqlite: is not a Platonic Lab workspace/ },
  { name: 'unknown option', args: ['align', path.join(NPY, 'a10.npy'), path.join(NPY, 'a10.npy'), '--kk', '3'], expect: /--kk: unknown option for "align"/ },
]

function mkfifo(p: string): boolean {
  try {
    execFileSync('mkfifo', [p], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function writeJsonl(file: string, recs: object[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, recs.map((r) => JSON.stringify(r)).join('\n') + '\n')
}

function makeGenerated(): void {
  fs.mkdirSync(gen, { recursive: true })
  fs.writeFileSync(path.join(gen, 'empty.onnx'), '')
  fs.writeFileSync(path.join(gen, 'captions-only.txt'), 'a red square\na blue circle\n')
  fs.mkdirSync(path.join(gen, 'no-graph'))
  fs.writeFileSync(path.join(gen, 'no-graph', 'config.json'), '{"model_type": "gpt2"}')
  fs.mkdirSync(path.join(gen, 'not-a-workspace'))
  fs.writeFileSync(path.join(gen, 'not-a-workspace', 'workspace.sqlite'), 'this is not an SQLite database, just text that is long enough '.repeat(20))

  // A GPT-2-looking folder whose graph wants a key/value cache of a fixed length (a static-cache export),
  // which cannot be fed empty.
  const past = path.join(gen, 'text-with-past')
  fs.mkdirSync(path.join(past, 'onnx'), { recursive: true })
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(GPT, f), path.join(past, f))
  fs.writeFileSync(
    path.join(past, 'onnx', 'model.onnx'),
    buildModel({
      name: 'with_past',
      inputs: [
        { name: 'input_ids', type: INT64, shape: ['batch', 'seq'] },
        { name: 'past_key_values.0.key', type: FLOAT, shape: ['batch', 4, 128, 16] },
      ],
      outputs: [{ name: 'logits', type: FLOAT, shape: ['batch', 4, 128, 16] }],
      nodes: [{ op: 'Identity', inputs: ['past_key_values.0.key'], outputs: ['logits'] }],
    }),
  )
  fs.writeFileSync(
    path.join(gen, 'odd-input.onnx'),
    buildModel({ name: 'odd', inputs: [{ name: 'features', type: FLOAT, shape: ['batch', 7] }], outputs: [{ name: 'y', type: FLOAT, shape: ['batch', 7] }], nodes: [{ op: 'Relu', inputs: ['features'], outputs: ['y'] }] }),
  )

  // 20 good images, the 18th replaced by garbage: batch 0 (of 8) runs while batch 2 fails to decode.
  const late = path.join(gen, 'late-bad-image')
  fs.mkdirSync(late)
  for (let i = 0; i < 20; i++) fs.copyFileSync(path.join(SHAPES, 'images', `${String(i).padStart(3, '0')}.png`), path.join(late, `img${String(i).padStart(2, '0')}.png`))
  fs.writeFileSync(path.join(late, 'img17.png'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)))

  // format 2.0 header claiming [2^40, 3, 2^20] float32 over 8 bytes of data
  let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 3, 1048576), }"
  dict += ' '.repeat((64 - ((12 + dict.length + 1) % 64)) % 64) + '\n'
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0, 0, 0])
  head.writeUInt32LE(dict.length, 8)
  fs.writeFileSync(path.join(gen, 'huge-3d.npy'), Buffer.concat([head, Buffer.from(dict, 'latin1'), Buffer.alloc(8)]))

  haveFifo = process.platform !== 'win32' && mkfifo(secret)
  if (!haveFifo) return
  writeJsonl(path.join(gen, 'ds-dotdot', 'captions.jsonl'), [{ id: 'a', image: '../secret-never-read.png', caption: 'x' }])
  writeJsonl(path.join(gen, 'ds-absolute', 'captions.jsonl'), [{ id: 'a', image: secret, caption: 'x' }])
  writeJsonl(path.join(gen, 'ds-link', 'captions.jsonl'), [{ id: 'a', image: 'images/link.png', caption: 'x' }])
  fs.mkdirSync(path.join(gen, 'ds-link', 'images'))
  fs.symlinkSync(secret, path.join(gen, 'ds-link', 'images', 'link.png'))
  fs.mkdirSync(path.join(gen, 'ds-image-folder-link'))
  fs.symlinkSync(secret, path.join(gen, 'ds-image-folder-link', 'a.png'))
  writeJsonl(path.join(gen, 'ds-fifo-inside', 'captions.jsonl'), [{ id: 'p', image: 'images/pipe.png', caption: 'x' }])
  fs.mkdirSync(path.join(gen, 'ds-fifo-inside', 'images'))
  mkfifo(path.join(gen, 'ds-fifo-inside', 'images', 'pipe.png'))
}

const results = new Map<string, CliRun>()

beforeAll(async () => {
  makeGenerated()
  // One workspace for all cases: it is created once here so the concurrent cases only open it.
  const init = await runCli(['cache', 'verify', '--data', ws])
  expect(init.code, init.stderr).toBe(0)
  const todo = cases.filter((c) => !c.fifo || haveFifo)
  await mapLimit(todo, 3, async (c) => {
    results.set(c.name, await runCli(c.args.includes('--data') ? c.args : [...c.args, '--data', ws], { timeoutMs: 30_000 }))
  })
}, 180_000)

afterAll(() => t.cleanup())

describe('bad input corpus: exit 2, one error line naming the file or flag, no stack trace', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.fifo && !haveFifo) {
      console.warn(`skipped "${c.name}": mkfifo is not available here`)
      return
    }
    const r = results.get(c.name)!
    expect(r.timedOut, `${c.name}: the CLI blocked (did it open a FIFO?)`).toBe(false)
    const { errors, stack } = errorLines(r.stderr)
    expect(stack, r.stderr).toEqual([])
    expect(errors, r.stderr).toHaveLength(1)
    expect(errors[0]).toMatch(c.expect)
    expect(errors[0]).not.toMatch(/internal failure/)
    expect(errors[0], 'names the same file twice').not.toMatch(/(\S+): \1:/)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stdout).toBe('')
  })

  it('the workspace the corpus ran against is still intact', async () => {
    const v = await runCli(['cache', 'verify', '--data', ws, '--json'])
    expect(v.code, v.stdout).toBe(0)
    expect((JSON.parse(v.stdout) as { integrity: string }).integrity).toBe('ok')
  })
})
