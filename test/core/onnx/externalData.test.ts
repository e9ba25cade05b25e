import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { isAppError } from '../../../src-main/common/errors'
import { inspectModel } from '../../../src-main/core/onnx/modelInfo'
import { addModel } from '../../../src-main/core/registry/models'
import { Workspace } from '../../../src-main/core/store/workspace'
import { scanModelFile } from '../../../src-main/core/onnx/protoScan'
import { openModelSession } from '../../../src-main/core/onnx/tappedSession'
import { REPO_ROOT } from '../../helpers/fixtures'

const { onnx } = onnxProto
const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')

let tmp: string
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-extdata-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** W as float32 bytes: W[i][j] = (i * K + j + 1) / 100. */
function weights(K: number): Float32Array {
  const w = new Float32Array(K * K)
  for (let i = 0; i < w.length; i++) w[i] = (i + 1) / 100
  return w
}

/**
 * y = relu(x @ W) + x with W [K, K] stored as external data at `location` (relative to the graph),
 * or inline when location is null. Node names follow exporters' scopes so `/blk/Relu` can be tapped.
 */
function linearModel(file: string, K: number, location: string | null, dataFile?: string): void {
  const w = weights(K)
  const raw = Buffer.from(w.buffer)
  const init: onnxProto.onnx.ITensorProto =
    location === null
      ? { name: 'W', dataType: 1, dims: [K, K], rawData: raw }
      : { name: 'W', dataType: 1, dims: [K, K], dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: String(raw.length) }] }
  if (location !== null && dataFile) fs.writeFileSync(dataFile, raw)
  const vi = (name: string): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: K }] } } } })
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      input: [vi('x')],
      output: [vi('y')],
      initializer: [init],
      node: [
        { name: '/blk/MatMul', opType: 'MatMul', input: ['x', 'W'], output: ['/blk/MatMul_output_0'] },
        { name: '/blk/Relu', opType: 'Relu', input: ['/blk/MatMul_output_0'], output: ['/blk/Relu_output_0'] },
        { name: '/blk/Add', opType: 'Add', input: ['/blk/Relu_output_0', 'x'], output: ['y'] },
      ],
    },
  })
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish())
}

/** Records the first argument of every call of `fs[name]` in `log` (as "name path", or the bare path). */
function track(name: 'readFileSync' | 'openSync' | 'linkSync' | 'copyFileSync', log: string[], bare = false): { mockRestore(): void } {
  const orig = fs[name] as (...a: unknown[]) => unknown
  return vi.spyOn(fs, name).mockImplementation(((...a: unknown[]) => {
    log.push(bare ? String(a[0]) : `${name} ${String(a[0])}`)
    return orig.apply(fs, a)
  }) as never)
}

function expectBadInput(f: () => unknown, pattern: RegExp): void {
  let err: unknown = null
  try {
    f()
  } catch (e) {
    err = e
  }
  expect(isAppError(err) && err.code).toBe('BAD_INPUT')
  expect((err as Error).message).toMatch(pattern)
}

describe('external data', () => {
  it('a tapped session reads the weights from the model folder by path: no link, no copy, no read in JavaScript, folder untouched', async () => {
    const K = 8
    // The model on /dev/shm where it exists (usually another file system than the temporary folder), else beside it.
    const base = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/pl-extdata-') : fs.mkdtempSync(path.join(tmp, 'model-'))
    const work = fs.mkdtempSync(path.join(tmp, 'work-'))
    try {
      const ext = path.join(base, 'model.onnx')
      linearModel(ext, K, 'weights.bin', path.join(base, 'weights.bin'))
      const inline = path.join(tmp, 'inline.onnx')
      linearModel(inline, K, null)
      const before = fs.readdirSync(base).sort()
      const data = path.join(base, 'weights.bin')
      const touched: string[] = []
      const spies = (['readFileSync', 'openSync', 'linkSync', 'copyFileSync'] as const).map((name) => track(name, touched))
      const info = inspectModel(ext)
      expect(info.weightFiles).toEqual([ext, data])
      const ms = await openModelSession(info, ['/blk/Relu_output_0', 'y'], 'cpu', work)
      for (const s of spies) s.mockRestore()
      expect(ms.tapped).toBe(true)
      expect(touched.filter((t) => t.includes('weights.bin'))).toEqual([])
      // While the session is open its copy is in the work folder, holding the graph only.
      const [copyDir] = fs.readdirSync(work)
      expect(fs.readdirSync(path.join(work, copyDir!))).toEqual(['model.onnx'])
      const x = new Float32Array(2 * K).map((_, i) => Math.sin(i))
      const feeds = { x: new ort.Tensor('float32', x, [2, K]) }
      const got = await ms.session.run(feeds, ['/blk/Relu_output_0', 'y'])
      const ref = await ort.InferenceSession.create(inline)
      const want = await ref.run(feeds)
      // Independent reference for the tapped tensor: relu(x @ W) in float64.
      const w = weights(K)
      for (let b = 0; b < 2; b++)
        for (let j = 0; j < K; j++) {
          let s = 0
          for (let i = 0; i < K; i++) s += x[b * K + i]! * w[i * K + j]!
          expect(got['/blk/Relu_output_0']!.data[b * K + j]).toBeCloseTo(Math.max(0, s), 5)
        }
      expect(Array.from(got.y!.data as Float32Array)).toEqual(Array.from(want.y!.data as Float32Array))
      await ref.release()
      await ms.close()
      expect(fs.readdirSync(work)).toEqual([])
      expect(fs.readdirSync(base).sort()).toEqual(before)
    } finally {
      fs.rmSync(base, { recursive: true, force: true })
    }
  })

  it.each([
    ['../secret.bin', /leaves the model's folder/],
    ['sub/../../secret.bin', /leaves the model's folder/],
    ['/etc/passwd', /is absolute/],
    ['C:\\Windows\\win.ini', /is absolute/],
    ['link.bin', /link to a file outside the model's folder/],
    ['fifo.bin', /not a regular file/],
    ['short.bin', /needs bytes 0\.\.256 of short\.bin, which has 16/],
  ])('location %s is refused before the data file is opened or hashed', (location, pattern) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'esc-'))
    const model = path.join(dir, 'model')
    fs.mkdirSync(model)
    const secret = path.join(dir, 'secret.bin')
    fs.writeFileSync(secret, Buffer.alloc(256))
    fs.symlinkSync(secret, path.join(model, 'link.bin'))
    fs.writeFileSync(path.join(model, 'short.bin'), Buffer.alloc(16))
    if (location === 'fifo.bin') spawnSync('mkfifo', [path.join(model, 'fifo.bin')])
    const file = path.join(model, 'model.onnx')
    linearModel(file, 8, location)
    const opened: string[] = []
    const spy = track('openSync', opened, true)
    try {
      expectBadInput(() => inspectModel(file), pattern)
    } finally {
      spy.mockRestore()
    }
    expect(opened).toEqual([file])
  })

  it('registering a model whose external data is /etc/passwd fails with BAD_INPUT and hashes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'reg-'))
    linearModel(path.join(dir, 'model.onnx'), 8, '/etc/passwd')
    const ws = Workspace.open(path.join(tmp, 'reg-ws'))
    try {
      await expect(addModel(ws, dir)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/model\.onnx: external data of "W": location "\/etc\/passwd" is absolute/) })
      expect(ws.db.prepare('SELECT path FROM file_hashes').all()).toEqual([])
    } finally {
      ws.close()
    }
  })
})

/** `count` empty NodeProtos (two bytes each: tag 1, length 0) in a graph, plus an opset. */
function emptyNodesModel(file: string, count: number): void {
  const nodes = Buffer.alloc(count * 2)
  for (let i = 0; i < count; i++) nodes[2 * i] = 0x0a
  const varint = (n: number): Buffer => {
    const out: number[] = []
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80)
      n = Math.floor(n / 0x80)
    }
    out.push(n)
    return Buffer.from(out)
  }
  const opset = Buffer.from(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }] }).finish())
  fs.writeFileSync(file, Buffer.concat([opset, Buffer.from([0x3a]), varint(nodes.length), nodes]))
}

/** Graphs nested `depth` deep through If's then_branch attribute. */
function nestedModel(file: string, depth: number): void {
  let g: onnxProto.onnx.IGraphProto = { name: 'leaf', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] }
  for (let i = 0; i < depth; i++) g = { name: `g${i}`, node: [{ opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g }] }] }
  fs.writeFileSync(file, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g }).finish())
}

describe('bounded model decoding', () => {
  it('a crafted file of 40 million empty nodes (80 MB) is refused after reading a few MB, heap bounded', () => {
    const file = path.join(tmp, 'nodes.onnx')
    emptyNodesModel(file, 40_000_000)
    const heap0 = process.memoryUsage().heapUsed
    expectBadInput(() => scanModelFile(file), /more than 1,000,000 nodes/)
    // A decoded node costs well over 64 bytes of heap; 1M of them would show. The limit stops the walk first.
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(64 * 2 ** 20)
    fs.rmSync(file)
  })

  it('nesting deeper than protobuf parsers allow is refused; truncated and malformed files name the problem', () => {
    const deep = path.join(tmp, 'deep.onnx')
    nestedModel(deep, 60)
    expectBadInput(() => scanModelFile(deep), /nested more than 100 deep/)
    const ok = path.join(tmp, 'ok.onnx')
    nestedModel(ok, 3)
    expect(scanModelFile(ok).nodes).toBe(4)
    const bytes = fs.readFileSync(ok)
    fs.writeFileSync(deep, bytes.subarray(0, bytes.length - 3))
    expectBadInput(() => scanModelFile(deep), /not a valid ONNX model: .*(runs past|truncated)/)
    fs.writeFileSync(deep, Buffer.from([0x3b, 0x00]))
    expectBadInput(() => scanModelFile(deep), /unsupported wire type 3/)
  })

  it('inline weights are left out of the decoded structure', () => {
    const file = path.join(tmp, 'inline-big.onnx')
    linearModel(file, 256, null)
    const s = scanModelFile(file)
    expect(s.payloadBytes).toBe(256 * 256 * 4)
    expect(s.structure.length).toBeLessThan(1024)
    const info = inspectModel(file)
    expect(info.tappable.map((t) => t.name)).toContain('/blk/Relu_output_0')
  })

  it('the CLI answers a crafted model with exit 2 and one error line, without a crash', () => {
    const file = path.join(tmp, 'nodes-cli.onnx')
    emptyNodesModel(file, 3_000_000)
    const r = spawnSync(process.execPath, [BIN, 'layers', '--model', file], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 })
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*nodes-cli\.onnx: refusing to decode the model: more than 1,000,000 nodes/)])
  })
})
