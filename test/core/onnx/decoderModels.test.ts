import fs from 'node:fs'
import path from 'node:path'
import onnxProto from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/common/errors'
import { layersJson } from '../../../src-main/cli/commands/layers'
import { extractFeatures } from '../../../src-main/core/features/extract'
import { readModelProto, summarizeGraph } from '../../../src-main/core/onnx/graph'
import { lastAxisWidths } from '../../../src-main/core/onnx/widths'
import { inspectModel, requireRunnable, runProblems, streamProblems } from '../../../src-main/core/onnx/modelInfo'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES, MODELS } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

/** Discovery on the decoder fixtures (test/fixtures/decoders/make_decoders.py): what `layers` reports, before anything runs. */
const DEC = path.join(FIXTURES, 'decoders')
const STREAM = ['/model/embed_tokens/Gather_output_0', '/model/layers.0/Add_1_output_0', '/model/layers.1/Add_1_output_0']

let tmp: ReturnType<typeof tmpDir>
beforeAll(() => {
  tmp = tmpDir('pl-decoder-models-')
})
afterAll(() => tmp.cleanup())

/** A copy of a fixture folder with some files replaced. */
function variant(folder: string, name: string, files: Record<string, string | Uint8Array>): string {
  const dest = path.join(tmp.dir, name)
  fs.cpSync(path.join(DEC, folder), dest, { recursive: true })
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dest, rel), content)
  return dest
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

describe('decoders with a key/value cache', () => {
  const files = ['llama-tiny', 'llama-tiny/onnx/model_fp16.onnx', 'llama-tiny/onnx/model_quantized.onnx', 'llama-tiny/onnx/model_q4.onnx', 'llama-tiny-external', 'llama-tiny-merged']
  for (const f of files) {
    it(`${f}: runnable, cache planned from the declared shapes, stream starts at the token embedding and is 64 wide`, () => {
      const info = inspectModel(path.join(DEC, f))
      expect(runProblems(info)).toEqual([])
      expect(info.decoder?.past.map((p) => p.name)).toEqual(['past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'])
      expect(info.decoder?.past[0]).toMatchObject({ type: f.includes('fp16') ? 'float16' : 'float32', dims: ['batch', 2, 'past', 16] })
      expect(info.decoder?.useCacheBranch).toBe(f.includes('merged') ? 'use_cache_branch' : null)
      expect(info.residualStream).toEqual(STREAM)
      expect([info.hiddenSize, info.hiddenSizeSource, info.tokenEmbeddingWidth]).toEqual([64, 'config.json hidden_size', 64])
      // Widths followed through the graph (MatMul, MatMulNBits N, MatMulInteger weights, norms, adds), before anything runs.
      expect(info.streamWidths).toEqual(Object.fromEntries(STREAM.map((t) => [t, 64])))
      expect(streamProblems(info)).toEqual([])
    })
  }

  it('model_q4.onnx: block 0 reads the rotary cos/sin as often as the stream (fused RMSNorm), and the stream still starts at the embedding', () => {
    const m = readModelProto(path.join(DEC, 'llama-tiny', 'onnx', 'model_q4.onnx'))
    const block0 = m.graph!.node!.filter((n) => (n.name ?? '').startsWith('/model/layers.0/'))
    const reads = (t: string): number => block0.reduce((a, n) => a + (n.input ?? []).filter((x) => x === t).length, 0)
    // cos and sin, [B, 1, T, head_dim]: the outputs of the model-level Unsqueeze nodes that block 0 reads.
    const rotary = m.graph!.node!.filter((n) => /^\/model\/Unsqueeze/.test(n.name ?? '')).map((n) => n.output![0]!).filter((t) => reads(t) > 0)
    expect(rotary.length).toBe(2)
    for (const r of rotary) expect(reads(r)).toBe(reads(STREAM[0]!))
    expect(inspectModel(path.join(DEC, 'llama-tiny', 'onnx', 'model_q4.onnx')).residualStream[0]).toBe(STREAM[0])
    // The rotary tables are head_dim (16) wide, so a stream starting there would fail the width check
    // (cos and sin themselves; their unsqueezed copies are checked on the first batch).
    const widths = lastAxisWidths(m)
    const tables = m.graph!.node!.filter((n) => n.opType === 'Cos' || n.opType === 'Sin').map((n) => n.output![0]!)
    expect(tables.length).toBe(2)
    for (const t of tables) expect(widths.get(t)).toBe(16)
  })

  it('the merged decoder is read through its no-cache branch: its layers can be tapped', () => {
    const info = inspectModel(path.join(DEC, 'llama-tiny-merged'))
    expect(info.inputs.at(-1)).toEqual({ name: 'use_cache_branch', type: 'bool', shape: [1] })
    expect(info.tappable.map((t) => t.name)).toContain('/model/layers.1/mlp/down_proj/MatMul_output_0')
  })

  it('without config.json the width comes from the token embedding table and the cache from the declared shapes', () => {
    const dir = path.join(tmp.dir, 'bare')
    fs.mkdirSync(dir)
    fs.copyFileSync(path.join(DEC, 'llama-tiny', 'onnx', 'model.onnx'), path.join(dir, 'llama.onnx'))
    const info = inspectModel(path.join(dir, 'llama.onnx'))
    expect([info.hiddenSize, info.hiddenSizeSource]).toEqual([64, 'token embedding'])
    expect(info.decoder?.past[0]?.dims).toEqual(['batch', 2, 'past', 16])
  })

  it('layers --json: hidden_size, kv_cache, no warnings', () => {
    const j = layersJson(inspectModel(path.join(DEC, 'llama-tiny-merged')))
    expect(j).toMatchObject({ hidden_size: 64, hidden_size_source: 'config.json hidden_size', kv_cache: { inputs: ['past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'], use_cache_branch: true }, warnings: [], residual_stream: STREAM })
  })
})

describe('layers warns before extraction; extraction fails with the reason', () => {
  it('an input that cannot be fed is listed in warnings and refused by requireRunnable, naming the file', () => {
    const m = readModelProto(path.join(DEC, 'bert-tiny', 'onnx', 'model.onnx'))
    m.graph!.input!.push(onnxProto.onnx.ValueInfoProto.create({ name: 'pixel_mask', type: { tensorType: { elemType: 7, shape: { dim: [{ dimParam: 'batch' }] } } } }))
    const dir = variant('bert-tiny', 'extra-input', { 'onnx/model.onnx': onnxProto.onnx.ModelProto.encode(m).finish() })
    const info = inspectModel(dir)
    expect((layersJson(info).warnings as string[])[0]).toMatch(/cannot feed input\(s\) pixel_mask/)
    expect(() => requireRunnable(info)).toThrow(/model\.onnx: .*cannot feed input\(s\) pixel_mask/)
  })

  it('a config whose hidden size is not the stream width: layers warns, extract --layers all refuses before running', async () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(DEC, 'llama-tiny', 'config.json'), 'utf8')) as Record<string, unknown>
    const dir = variant('llama-tiny', 'wrong-width', { 'config.json': JSON.stringify({ ...cfg, hidden_size: 32, head_dim: 16 }) })
    const info = inspectModel(dir)
    expect(layersJson(info).warnings).toEqual(['the token embedding is 64 wide but config.json hidden_size says 32', ...STREAM.map((t) => `residual-stream tensor ${t} is 64 wide, not 32 (config.json hidden_size)`)])
    const ws = Workspace.open(path.join(tmp.dir, 'ws-width'))
    try {
      fs.writeFileSync(path.join(tmp.dir, 'one.txt'), 'a red circle\n')
      const e = await errorOf(extractFeatures(ws, { modelPath: dir, datasetPath: path.join(tmp.dir, 'one.txt'), ep: 'cpu', layers: 'all' }))
      expect(isAppError(e) && e.code).toBe('BAD_INPUT')
      expect(e.message).toMatch(/model\.onnx: the token embedding is 64 wide but config\.json hidden_size says 32; residual-stream tensor \/model\/embed_tokens\/Gather_output_0 is 64 wide, not 32 .*: not a residual stream of one width/)
    } finally {
      ws.close()
    }
  })

  it('a session onnxruntime cannot create is BAD_INPUT naming the file and the reason, not an internal failure', async () => {
    const m = readModelProto(path.join(DEC, 'bert-tiny', 'onnx', 'model.onnx'))
    m.graph!.node![5]!.opType = 'NoSuchOperator'
    const dir = variant('bert-tiny', 'bad-op', { 'onnx/model.onnx': onnxProto.onnx.ModelProto.encode(m).finish() })
    const ws = Workspace.open(path.join(tmp.dir, 'ws-op'))
    try {
      fs.writeFileSync(path.join(tmp.dir, 'one.txt'), 'a red circle\n')
      const e = await errorOf(extractFeatures(ws, { modelPath: dir, datasetPath: path.join(tmp.dir, 'one.txt'), ep: 'cpu', layers: 'hidden' }))
      expect(isAppError(e) && e.code).toBe('BAD_INPUT')
      expect(e.message).toContain(path.join(dir, 'onnx', 'model.onnx'))
      expect(e.message).toMatch(/onnxruntime could not create a session for this model: .*NoSuchOperator/)
    } finally {
      ws.close()
    }
  })

  it('a run onnxruntime refuses (position beyond the table) is BAD_INPUT naming the file, the items and the reason', async () => {
    // Without max_position_embeddings and model_max_length the tokenizer does not truncate, and BERT's
    // 64-row position table is indexed past its end.
    const cfg = JSON.parse(fs.readFileSync(path.join(DEC, 'bert-tiny', 'config.json'), 'utf8')) as Record<string, unknown>
    const tok = JSON.parse(fs.readFileSync(path.join(DEC, 'bert-tiny', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>
    delete cfg.max_position_embeddings
    delete tok.model_max_length
    const dir = variant('bert-tiny', 'long', { 'config.json': JSON.stringify(cfg), 'tokenizer_config.json': JSON.stringify(tok) })
    const ws = Workspace.open(path.join(tmp.dir, 'ws-run'))
    try {
      fs.writeFileSync(path.join(tmp.dir, 'long.txt'), `${'red '.repeat(100)}\n`)
      const e = await errorOf(extractFeatures(ws, { modelPath: dir, datasetPath: path.join(tmp.dir, 'long.txt'), ep: 'cpu', layers: 'hidden' }))
      expect(isAppError(e) && e.code).toBe('BAD_INPUT')
      expect(e.message).toMatch(/model\.onnx: onnxruntime could not run the model on items 0\.\.0 of the batch: .+out of data bounds/)
    } finally {
      ws.close()
    }
  })
})

describe('the demo models keep their streams', () => {
  it('gpt-tiny: width from n_embd; vit-tiny: from hidden_size; no warnings', () => {
    const g = inspectModel(path.join(MODELS, 'gpt-tiny'))
    expect([g.hiddenSize, g.hiddenSizeSource, g.decoder]).toEqual([64, 'config.json n_embd', null])
    expect(layersJson(g).warnings).toEqual([])
    const v = inspectModel(path.join(MODELS, 'vit-tiny-logits-only'))
    expect([v.hiddenSize, v.hiddenSizeSource]).toEqual([48, 'config.json hidden_size'])
    expect(layersJson(v).warnings).toEqual([])
  })
})

describe('activation type', () => {
  it('float16 weights make float16 activations even when inputs and outputs stay float32; quantized weights leave float32', () => {
    expect(inspectModel(path.join(DEC, 'llama-tiny', 'onnx', 'model_fp16.onnx')).floatElemType).toBe(10)
    for (const f of ['model.onnx', 'model_quantized.onnx', 'model_q4.onnx']) expect(inspectModel(path.join(DEC, 'llama-tiny', 'onnx', f)).floatElemType).toBe(1)
    // The float16 export with float32 inputs and outputs declared (as converters' keep_io_types writes them).
    const m = readModelProto(path.join(DEC, 'llama-tiny', 'onnx', 'model_fp16.onnx'))
    for (const v of [...m.graph!.input!, ...m.graph!.output!]) if (v.type?.tensorType?.elemType === 10) v.type.tensorType.elemType = 1
    expect(summarizeGraph(m).floatElemType).toBe(10)
  })
})
