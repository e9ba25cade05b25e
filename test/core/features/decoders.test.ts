import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Tensor3 } from '../../../src-main/common/matrix'
import { loadTextEncoder } from '../../../src-main/core/data/text'
import { extractFeatures, resolveLayers, type ExtractRequest } from '../../../src-main/core/features/extract'
import { loadFeatures } from '../../../src-main/core/features/store'
import { inspectModel } from '../../../src-main/core/onnx/modelInfo'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

/**
 * Decoders exported with a key/value cache (and a BERT-style encoder declaring only last_hidden_state),
 * extracted end to end and compared with PyTorch features of the same weights
 * (test/fixtures/decoders/make_decoders.py: each caption run alone, unpadded; the generator checks that
 * left- and right-padded batches agree within 1e-5).
 */
const DEC = path.join(FIXTURES, 'decoders')
interface Reference {
  captions: string[]
  token_ids: number[][]
  models: Record<string, Record<string, number[][][]>>
}
const ref = JSON.parse(fs.readFileSync(path.join(DEC, 'reference.json'), 'utf8')) as Reference
const STREAM = ['/model/embed_tokens/Gather_output_0', '/model/layers.0/Add_1_output_0', '/model/layers.1/Add_1_output_0']

let tmp: ReturnType<typeof tmpDir>
let ws: Workspace
let dataset: string
beforeAll(() => {
  tmp = tmpDir('pl-decoders-')
  ws = Workspace.open(path.join(tmp.dir, 'ws'))
  dataset = path.join(tmp.dir, 'captions.jsonl')
  fs.writeFileSync(dataset, ref.captions.map((c, i) => JSON.stringify({ id: `c${i}`, caption: c })).join('\n') + '\n')
})
afterAll(() => {
  ws.close()
  tmp.cleanup()
})

/** A copy of a fixture folder with tokenizer_config.json's padding_side changed. */
function withPadding(folder: string, side: 'left' | 'right'): string {
  const dest = path.join(tmp.dir, `${folder}-${side}`)
  if (!fs.existsSync(dest)) {
    fs.cpSync(path.join(DEC, folder), dest, { recursive: true })
    const cfgPath = path.join(dest, 'tokenizer_config.json')
    fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, 'utf8')), padding_side: side }))
  }
  return dest
}

const run = async (model: string, extra: Partial<ExtractRequest>): Promise<{ layers: string[]; f: Tensor3 }> => {
  const r = await extractFeatures(ws, { modelPath: model, datasetPath: dataset, ep: 'cpu', layers: 'all', ...extra })
  return { layers: r.layers, f: loadFeatures(ws, r.feature_set) }
}

/** Largest |got - want| over items, layers and features, and the largest |want| of the same layer (for relative tolerances). */
function compare(f: Tensor3, want: number[][][]): { abs: number; rel: number } {
  expect([f.n, f.layers]).toEqual([want.length, want[0]!.length])
  let abs = 0
  let rel = 0
  want.forEach((item, i) =>
    item.forEach((layer, l) => {
      expect(layer.length).toBe(f.dim)
      const scale = Math.max(...layer.map(Math.abs))
      layer.forEach((v, d) => {
        const e = Math.abs(f.data[(i * f.layers + l) * f.dim + d]! - v)
        abs = Math.max(abs, e)
        rel = Math.max(rel, e / scale)
      })
    }),
  )
  return { abs, rel }
}

describe('the fixtures feed the models what PyTorch was fed', () => {
  it('the tokenizer gives the reference token ids', () => {
    const enc = loadTextEncoder(path.join(DEC, 'llama-tiny', 'tokenizer.json'), path.join(DEC, 'llama-tiny', 'tokenizer_config.json'), 64)
    ref.captions.forEach((c, i) => expect(Array.from(enc.encode(c))).toEqual(ref.token_ids[i]))
  })
})

describe('decoders exported with past: the residual stream against PyTorch', () => {
  const cases: { name: string; model: () => string; key: string; tol: 'abs' | 'rel'; batch?: number }[] = [
    { name: 'float32, left padding (tokenizer_config)', model: () => path.join(DEC, 'llama-tiny'), key: 'llama-fp32', tol: 'abs' },
    { name: 'float32, right padding', model: () => withPadding('llama-tiny', 'right'), key: 'llama-fp32', tol: 'abs' },
    { name: 'float32 with external data (model.onnx + model.onnx_data)', model: () => path.join(DEC, 'llama-tiny-external'), key: 'llama-fp32', tol: 'abs' },
    { name: "Optimum's merged decoder (If on use_cache_branch)", model: () => path.join(DEC, 'llama-tiny-merged'), key: 'llama-fp32', tol: 'abs' },
    { name: 'float16 inputs, cache and outputs (model_fp16.onnx)', model: () => path.join(DEC, 'llama-tiny', 'onnx', 'model_fp16.onnx'), key: 'llama-fp16', tol: 'rel' },
    { name: '4-bit MatMulNBits with fused RMSNorm (model_q4.onnx)', model: () => path.join(DEC, 'llama-tiny', 'onnx', 'model_q4.onnx'), key: 'llama-q4', tol: 'abs' },
    // Dynamic quantization scales activations per tensor over the whole batch, so only a batch of one
    // item is comparable with the per-caption reference.
    { name: 'int8 DynamicQuantizeLinear + MatMulInteger (model_quantized.onnx), batch 1', model: () => path.join(DEC, 'llama-tiny', 'onnx', 'model_quantized.onnx'), key: 'llama-int8-batch1', tol: 'abs', batch: 1 },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      for (const pool of ['mean', 'last'] as const) {
        const { layers, f } = await run(c.model(), { pool, batch: c.batch ?? 4 })
        expect(layers).toEqual(STREAM)
        expect(f.dim).toBe(64)
        const e = compare(f, ref.models[c.key]![pool]!)
        // float32 (and quantized graphs against the same quantized arithmetic): 1e-4 absolute;
        // float16: 2e-2 relative to the layer's largest feature.
        if (c.tol === 'abs') expect(e.abs).toBeLessThan(1e-4)
        else expect(e.rel).toBeLessThan(2e-2)
      }
    })
  }

  it('a batch of 3 and a batch of 1 give the same float32 features (the empty cache and position ids do not depend on the batch)', async () => {
    const a = await run(path.join(DEC, 'llama-tiny'), { pool: 'mean', batch: 3 })
    const b = await run(path.join(DEC, 'llama-tiny'), { pool: 'mean', batch: 1 })
    expect(compare(a.f, ref.models['llama-fp32']!.mean!).abs).toBeLessThan(1e-4)
    let m = 0
    for (let i = 0; i < a.f.data.length; i++) m = Math.max(m, Math.abs(a.f.data[i]! - b.f.data[i]!))
    expect(m).toBeLessThan(1e-5)
  })
})

describe('BERT-style encoder declaring only last_hidden_state', () => {
  it('--layers all taps the embeddings and every block (4 layers), matching PyTorch', async () => {
    const info = inspectModel(path.join(DEC, 'bert-tiny'))
    expect(info.hiddenStates).toEqual(['last_hidden_state'])
    expect(Object.values(info.streamWidths)).toEqual([64, 64, 64, 64])
    expect(resolveLayers(info, 'all')).toHaveLength(4)
    for (const pool of ['mean', 'cls'] as const) {
      const { layers, f } = await run(path.join(DEC, 'bert-tiny'), { pool })
      expect(layers).toEqual(['/embeddings/LayerNorm/LayerNormalization_output_0', '/encoder/layer.0/output/LayerNorm/LayerNormalization_output_0', '/encoder/layer.1/output/LayerNorm/LayerNormalization_output_0', 'last_hidden_state'])
      expect(compare(f, ref.models.bert![pool]!).abs).toBeLessThan(1e-4)
    }
  })

  it('a tokenizer_config asking for left padding is overridden for a model without position_ids (BERT numbers positions itself)', async () => {
    const { f } = await run(withPadding('bert-tiny', 'left'), { pool: 'mean' })
    expect(compare(f, ref.models.bert!.mean!).abs).toBeLessThan(1e-4)
  })

  it('--layers hidden still means the declared outputs: last_hidden_state only, equal to the last block', async () => {
    const { layers, f } = await run(path.join(DEC, 'bert-tiny'), { pool: 'mean', layers: 'hidden' })
    expect(layers).toEqual(['last_hidden_state'])
    expect(compare(f, ref.models.bert!.mean!.map((item) => [item[3]!])).abs).toBeLessThan(1e-4)
  })
})
