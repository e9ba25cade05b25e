import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Tensor3 } from '../../../src-main/common/matrix'
import { loadTextEncoder } from '../../../src-main/core/data/text'
import { extractFeatures, type ExtractRequest } from '../../../src-main/core/features/extract'
import { loadFeatures } from '../../../src-main/core/features/store'
import { ModelProtoCodec } from '../../../src-main/core/onnx/graph'
import { inspectModel, selectTower } from '../../../src-main/core/onnx/modelInfo'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

/** PyTorch features of shapes-256 items 000-005, written by test/fixtures/models/make_clip_tiny.py. */
interface Reference {
  items: { id: string; input_ids: number[]; vision: number[][]; text: number[][]; image_embeds: number[]; text_embeds: number[] }[]
}
const REF = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'models', 'clip-tiny-reference.json'), 'utf8')) as Reference
const N = REF.items.length
const CLIP = path.join(FIXTURES, 'models', 'clip-tiny')
const SPLIT = path.join(FIXTURES, 'models', 'clip-tiny-split')

let t: ReturnType<typeof tmpDir>
let ws: Workspace
let captionsTxt: string
beforeAll(() => {
  t = tmpDir('pl-dual-')
  ws = Workspace.open(path.join(t.dir, 'ws'))
  // The same captions as a captions-only dataset (one per line), so the tower comes from the data.
  captionsTxt = path.join(t.dir, 'captions.txt')
  const lines = fs.readFileSync(path.join(SHAPES, 'captions.jsonl'), 'utf8').trim().split('\n').slice(0, N)
  fs.writeFileSync(captionsTxt, lines.map((l) => (JSON.parse(l) as { caption: string }).caption).join('\n') + '\n')
})
afterAll(() => {
  ws.close()
  t.cleanup()
})

const req = (model: string, extra: Partial<ExtractRequest> = {}): ExtractRequest => ({ modelPath: model, datasetPath: SHAPES, limit: N, ep: 'cpu', batch: 4, ...extra })

/** Largest |ours - reference| over items and layers; `pick` selects the reference vectors of an item. */
function maxErr(f: Tensor3, pick: (it: Reference['items'][number]) => number[][]): number {
  let m = 0
  REF.items.forEach((it, i) => {
    const layers = pick(it)
    expect(f.layers).toBe(layers.length)
    layers.forEach((vec, l) => {
      expect(f.dim).toBe(vec.length)
      vec.forEach((x, d) => (m = Math.max(m, Math.abs(f.data[(i * f.layers + l) * f.dim + d]! - x))))
    })
  })
  return m
}

describe('dual encoder extraction against PyTorch', () => {
  it('the tokenizer gives the token ids the reference was computed from', () => {
    const info = selectTower(inspectModel(CLIP), 'text')
    const enc = loadTextEncoder(info.tokenizer!.json, info.tokenizer!.config, info.positionLimit ?? undefined)
    const captions = fs.readFileSync(captionsTxt, 'utf8').trim().split('\n')
    captions.forEach((c, i) => expect(Array.from(enc.encode(c), Number)).toEqual(REF.items[i]!.input_ids))
  })

  for (const [layout, model] of [
    ['one graph', CLIP],
    ['split files', SPLIT],
  ] as const) {
    it(`${layout}: --tower vision, residual stream CLS-pooled, within 1e-4 of PyTorch`, async () => {
      const info = inspectModel(model)
      const r = await extractFeatures(ws, req(model, { tower: 'vision', layers: info.residualStream }))
      expect(r).toMatchObject({ tower: 'vision', pool: 'cls', dim: 48, n: N })
      expect(maxErr(loadFeatures(ws, r.feature_set), (it) => it.vision)).toBeLessThan(1e-4)
      const e = await extractFeatures(ws, req(model, { tower: 'vision', layers: 'image_embeds' }))
      expect(maxErr(loadFeatures(ws, e.feature_set), (it) => [it.image_embeds])).toBeLessThan(1e-4)
    })

    it(`${layout}: --tower text, residual stream mean-pooled over tokens, within 1e-4 of PyTorch`, async () => {
      const info = selectTower(inspectModel(model), 'text')
      // Batches of 4 pad the shorter captions: pooling must leave the padding out.
      const r = await extractFeatures(ws, req(model, { tower: 'text', layers: info.residualStream }))
      expect(r).toMatchObject({ tower: 'text', pool: 'mean', dim: 32, n: N })
      expect(maxErr(loadFeatures(ws, r.feature_set), (it) => it.text)).toBeLessThan(1e-4)
      const e = await extractFeatures(ws, req(model, { tower: 'text', layers: 'text_embeds' }))
      expect(maxErr(loadFeatures(ws, e.feature_set), (it) => [it.text_embeds])).toBeLessThan(1e-4)
    })
  }

  it('with no tower named, an image dataset runs the vision tower and a captions-only one the text tower', async () => {
    const v = await extractFeatures(ws, req(CLIP, { layers: 'all' }))
    expect(v).toMatchObject({ tower: 'vision', pool: 'cls', dim: 48 })
    expect(maxErr(loadFeatures(ws, v.feature_set), (it) => it.vision)).toBeLessThan(1e-4)
    const tx = await extractFeatures(ws, req(CLIP, { datasetPath: captionsTxt, layers: 'all' }))
    expect(tx).toMatchObject({ tower: 'text', pool: 'mean', dim: 32 })
    expect(maxErr(loadFeatures(ws, tx.feature_set), (it) => it.text)).toBeLessThan(1e-4)
    // A vision tower on a dataset without images is refused, naming the dataset.
    await expect(extractFeatures(ws, req(CLIP, { datasetPath: captionsTxt, tower: 'vision', layers: 'all' }))).rejects.toThrow(/captions\.txt: the model is a vision model but this dataset has no image/)
  })

  it('the tower is part of the cache key: both towers of one model are cached side by side', async () => {
    const v = await extractFeatures(ws, req(CLIP, { tower: 'vision', layers: 'all' }))
    const tx = await extractFeatures(ws, req(CLIP, { tower: 'text', layers: 'all' }))
    expect(v.model_sha256).toBe(tx.model_sha256)
    expect(v.feature_set).not.toBe(tx.feature_set)
    expect(v.cached && tx.cached).toBe(true)
    // The default (vision, from the images) is the same request as naming it.
    expect((await extractFeatures(ws, req(CLIP, { layers: 'all' }))).feature_set).toBe(v.feature_set)
  })

  it('with its weights in an external data file, each tower runs on a pruned copy that reads them from the model folder', async () => {
    // clip-tiny re-saved the way large exports are: every weight of 1 KiB or more in onnx/model.onnx_data.
    const dir = path.join(t.dir, 'clip-tiny-external')
    fs.cpSync(CLIP, dir, { recursive: true })
    const file = path.join(dir, 'onnx', 'model.onnx')
    const m = ModelProtoCodec.decode(fs.readFileSync(file))
    const chunks: Buffer[] = []
    let offset = 0
    for (const init of m.graph!.initializer!) {
      const raw = init.rawData
      if (!raw || raw.length < 1024) continue
      init.dataLocation = 1
      init.externalData = [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.length) }]
      init.rawData = new Uint8Array(0)
      chunks.push(Buffer.from(raw))
      offset += raw.length
    }
    expect(chunks.length).toBeGreaterThan(10)
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx_data'), Buffer.concat(chunks))
    fs.writeFileSync(file, ModelProtoCodec.encode(m).finish())
    const info = inspectModel(dir)
    expect(info.towers.map((x) => x.name)).toEqual(['vision', 'text'])
    expect(info.weightFiles.map((f) => path.basename(f))).toEqual(['model.onnx', 'model.onnx_data'])
    const v = await extractFeatures(ws, req(dir, { tower: 'vision', layers: 'all' }))
    expect(maxErr(loadFeatures(ws, v.feature_set), (it) => it.vision)).toBeLessThan(1e-4)
    const tx = await extractFeatures(ws, req(dir, { tower: 'text', layers: 'all' }))
    expect(maxErr(loadFeatures(ws, tx.feature_set), (it) => it.text)).toBeLessThan(1e-4)
    // Nothing was written into the model's folder.
    expect(fs.readdirSync(path.join(dir, 'onnx')).sort()).toEqual(['model.onnx', 'model.onnx_data'])
  })

  it('an unknown tower or a layer of the other tower is refused as bad input', async () => {
    await expect(extractFeatures(ws, req(CLIP, { tower: 'audio' as 'text' }))).rejects.toThrow(/^tower: expected one of vision, text, got audio/)
    await expect(extractFeatures(ws, req(CLIP, { tower: 'vision', layers: 'text_embeds' }))).rejects.toThrow(/^layers: no output or tappable tensor named "text_embeds"/)
  })
})
