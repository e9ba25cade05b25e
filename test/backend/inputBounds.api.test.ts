import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { ApiClient, type Transport } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { appendZipMembers, deeplyNested, mkfifo, pngWithIdat, rawDeflateZeros, zlibZeros } from '../helpers/bombs'
import { MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

// The same hostile files through the API the app and `serve` use (models.add, datasets.add,
// eval.import, mix.import): each is a BAD_INPUT naming the file, the backend lives on, and nothing
// is registered.

const t = tmpDir('pl-bounds-api-')
const gen = path.join(t.dir, 'gen')
const g = (...p: string[]): string => path.join(gen, ...p)
let client: ApiClient
let backend: Backend
let haveFifo = false

beforeAll(async () => {
  fs.mkdirSync(gen, { recursive: true })
  backend = new Backend({ dataDir: path.join(t.dir, 'ws'), mode: 'in-process', cancelGraceMs: 3000 })
  const transport: Transport = inProcessTransport(createDispatcher(backend.api), (cb) => backend.subscribe(cb))
  client = new ApiClient(transport)

  haveFifo = mkfifo(g('probe'))
  if (haveFifo) {
    fs.mkdirSync(g('fifo-ds'))
    mkfifo(g('fifo-ds', 'captions.jsonl'))
    mkfifo(g('fifo.jsonl'))
    mkfifo(g('fifo.csv'))
    fs.cpSync(path.join(MODELS, 'gpt-tiny'), g('fifo-model'), { recursive: true })
    fs.rmSync(g('fifo-model', 'config.json'))
    mkfifo(g('fifo-model', 'config.json'))
  }
  fs.writeFileSync(g('nested.jsonl'), `{"caption": "ok"}\n{"caption": "x", "attributes": {"a": ${deeplyNested(100_000)}}}\n`)
  fs.writeFileSync(g('nested-eval.jsonl'), `{"sub_task": ${deeplyNested(100_000)}, "choices": ["a", "b"], "answer": "a", "prediction": "A"}\n`)
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('t').addRow(['recipe', 'web', 'code', 'acc'])
  fs.writeFileSync(g('bomb.xlsx'), appendZipMembers(Buffer.from(await wb.xlsx.writeBuffer()), [{ name: 'xl/media/unused.bin', data: rawDeflateZeros(1024), declaredSize: 1 << 30 }]))
  fs.mkdirSync(g('png-bomb'))
  fs.writeFileSync(g('png-bomb', 'bomb.png'), pngWithIdat(32, 32, zlibZeros(2048)))
  fs.writeFileSync(g('png-bomb', 'captions.jsonl'), JSON.stringify({ id: 'a', image: 'bomb.png', caption: 'x' }) + '\n')
})

afterAll(() => {
  backend?.close()
  t.cleanup()
})

async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  let err: unknown
  try {
    await p
  } catch (e) {
    err = e
  }
  expect(err, 'expected the call to fail').toMatchObject({ code: 'BAD_INPUT' })
  expect((err as Error).message).toMatch(message)
}

describe('bounded input through the API', () => {
  it('refuses FIFOs given as a dataset, a model config, an evaluation file and a mixture table', async () => {
    if (!haveFifo) return console.warn('skipped: mkfifo is not available here')
    await refused(client.call('datasets.add', { path: g('fifo-ds') }), /captions\.jsonl: is a named pipe \(FIFO\)/)
    await refused(client.call('models.add', { path: g('fifo-model') }), /config\.json: is a named pipe \(FIFO\)/)
    await refused(client.call('eval.import', { paths: [g('fifo.jsonl')] }), /fifo\.jsonl: is a named pipe \(FIFO\)/)
    await refused(client.call('mix.import', { path: g('fifo.csv') }), /fifo\.csv: is a named pipe \(FIFO\)/)
  })

  it('refuses deep nesting and an XLSX bomb, naming file and line', async () => {
    await refused(client.call('datasets.add', { path: g('nested.jsonl') }), /nested\.jsonl:2: JSON nested more than 1000 levels deep/)
    await refused(client.call('eval.import', { paths: [g('nested-eval.jsonl')] }), /nested-eval\.jsonl:1: JSON nested more than 1000 levels deep/)
    await refused(client.call('mix.import', { path: g('bomb.xlsx') }), /bomb\.xlsx: archive member "xl\/media\/unused\.bin" declares 1\.0 GiB uncompressed/)
  })

  it('registers nothing and keeps serving', async () => {
    expect(await client.call('datasets.list', {})).toEqual([])
    expect(await client.call('eval.list', {})).toEqual([])
    const d = await client.call('datasets.add', { path: SHAPES })
    expect(d.n).toBe(256)
    // A dataset whose image is a PNG bomb registers (images are hashed, not decoded, until extraction).
    const bombs = await client.call('datasets.add', { path: g('png-bomb') })
    expect(bombs.n).toBe(1)
  })
})
