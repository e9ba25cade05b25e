import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { layersJson } from '../../../src-main/cli/commands/layers'
import { extraOutputs, readModelProto, summarizeGraph } from '../../../src-main/core/onnx/graph'
import { addToModel } from '../../../src-main/core/onnx/graphCopy'
import { inspectModel, requireRunnable, resolveGraphFile, selectTower } from '../../../src-main/core/onnx/modelInfo'
import { prunePlan, pruneToOutputs } from '../../../src-main/core/onnx/prune'
import { writePrunedCopy } from '../../../src-main/core/onnx/prunedCopy'
import { findTowers, towerForItems } from '../../../src-main/core/onnx/towers'
import { FIXTURES, MODELS } from '../../helpers/fixtures'
import { tmpDir } from '../../helpers/tmp'

const CLIP = path.join(FIXTURES, 'models', 'clip-tiny')
const SPLIT = path.join(FIXTURES, 'models', 'clip-tiny-split')
const VISION_STREAM = ['/vision_model/pre_layrnorm/LayerNormalization_output_0', '/vision_model/encoder/layers.0/Add_1_output_0', 'vision_last_hidden_state']
const TEXT_STREAM = ['/text_model/embeddings/Add_output_0', '/text_model/encoder/layers.0/Add_1_output_0', '/text_model/encoder/layers.1/Add_1_output_0']

describe('towers of a dual encoder in one graph', () => {
  const m = inspectModel(CLIP)

  it('finds a vision and a text tower with their own inputs, outputs and residual streams', () => {
    expect(m.towers.map((t) => t.name)).toEqual(['vision', 'text'])
    const [v, t] = m.towers
    expect(v!.inputs.map((i) => i.name)).toEqual(['pixel_values'])
    expect(t!.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask'])
    // logits_per_* need both towers and belong to neither.
    expect(v!.outputs.map((o) => o.name)).toEqual(['image_embeds', 'vision_last_hidden_state'])
    expect(t!.outputs.map((o) => o.name)).toEqual(['text_embeds', 'text_last_hidden_state'])
    expect(v!.residualStream).toEqual(VISION_STREAM)
    expect(t!.residualStream).toEqual(TEXT_STREAM)
    expect(v!.tappable.every((x) => !x.name.startsWith('/text_model/') && !x.name.startsWith('/logit'))).toBe(true)
    expect(t!.tappable.every((x) => !x.name.startsWith('/vision_model/'))).toBe(true)
    expect(v!.tappable.length + t!.tappable.length).toBeLessThan(m.whole!.tappable.length)
  })

  it('describes the vision tower by default (the model is a vision model), the text tower when chosen', () => {
    expect(m).toMatchObject({ tower: 'vision', modality: 'vision', imageInput: 'pixel_values', residualStream: VISION_STREAM, pruneToTower: true })
    expect(m.inputs.map((i) => i.name)).toEqual(['pixel_values'])
    const t = selectTower(m, 'text')
    expect(t).toMatchObject({ tower: 'text', modality: 'text', imageInput: null, residualStream: TEXT_STREAM, file: m.file, hiddenSize: 32, hiddenSizeSource: 'config.json text_config.hidden_size' })
    expect(m).toMatchObject({ hiddenSize: 48, hiddenSizeSource: 'config.json vision_config.hidden_size' })
    expect(t.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask'])
    expect(() => requireRunnable(m)).not.toThrow()
    expect(() => requireRunnable(t)).not.toThrow()
    // Both towers share one content hash: the model is registered once.
    expect(t.weightFiles).toEqual(m.weightFiles)
  })

  it('layers --json: whole-model inputs and outputs, the default tower, and every tower', () => {
    const j = layersJson(m) as Record<string, unknown> & { towers: Record<string, unknown>[] }
    expect((j.inputs as { name: string }[]).map((i) => i.name)).toEqual(['input_ids', 'pixel_values', 'attention_mask'])
    expect((j.outputs as { name: string }[]).map((i) => i.name)).toContain('logits_per_image')
    expect(j).toMatchObject({ modality: 'vision', tower: 'vision', residual_stream: VISION_STREAM })
    expect(j.towers.map((t) => [t.name, t.modality, t.residual_stream, t.hidden_size, t.warnings])).toEqual([
      ['vision', 'vision', VISION_STREAM, 48, []],
      ['text', 'text', TEXT_STREAM, 32, []],
    ])
  })

  it('a single-tower model has no towers and its layers document is unchanged', () => {
    for (const name of ['vit-tiny', 'gpt-tiny', 'vit-tiny-logits-only']) {
      const s = inspectModel(path.join(MODELS, name))
      expect(s).toMatchObject({ towers: [], tower: null, pruneToTower: false, whole: null })
      expect(Object.keys(layersJson(s))).toEqual(['inputs', 'outputs', 'hidden_states', 'tappable', 'residual_stream', 'modality', 'file', 'hidden_size', 'hidden_size_source', 'kv_cache', 'warnings'])
      expect(selectTower(s, s.modality as 'vision' | 'text')).toBe(s)
    }
    expect(() => selectTower(inspectModel(path.join(MODELS, 'vit-tiny')), 'text')).toThrow(/^tower: .*vit-tiny has one tower \(vision\), not a text tower/)
  })

  it('an export declaring only the logits still has two towers, found by their own blocks', () => {
    const proto = readModelProto(m.file)
    proto.graph!.output = proto.graph!.output!.filter((o) => o.name!.startsWith('logits_per_'))
    const towers = findTowers(proto, summarizeGraph(proto))
    expect(towers.map((t) => [t.name, t.outputs.length, t.residualStream])).toEqual([
      ['vision', 0, VISION_STREAM],
      ['text', 0, TEXT_STREAM],
    ])
  })

  it('a graph where the text side has no blocks of its own (image features join the token embeddings) has no towers', () => {
    // Vision blocks of their own, then the image features are added to the token embedding before any
    // text block: the model is one tower reading two inputs, like a vision-language model.
    const proto = readModelProto(m.file)
    const g = proto.graph!
    const textBlocks = new Set(g.node!.filter((n) => n.name!.startsWith('/text_model/encoder/')).map((n) => n.name))
    const first = g.node!.findIndex((n) => textBlocks.has(n.name))
    g.node!.splice(first, 0, { name: '/join/Add', opType: 'Add', input: ['/text_model/embeddings/Add_output_0', 'vision_last_hidden_state'], output: ['/join/Add_output_0'] })
    for (const n of g.node!) if (textBlocks.has(n.name)) n.input = n.input!.map((x) => (x === '/text_model/embeddings/Add_output_0' ? '/join/Add_output_0' : x))
    g.output = g.output!.filter((o) => o.name!.startsWith('logits_per_'))
    expect(findTowers(proto, summarizeGraph(proto))).toEqual([])
  })

  it('the tower a dataset feeds: images to vision, captions only to text', () => {
    expect(towerForItems([{ image: 'a.png', caption: 'x' }, { image: 'b.png' }])).toBe('vision')
    expect(towerForItems([{ caption: 'x' }, { caption: 'y' }])).toBe('text')
    expect(towerForItems([{ image: 'a.png', caption: 'x' }, { caption: 'y' }])).toBe('text')
  })
})

describe('pruneToOutputs', () => {
  const full = inspectModel(CLIP)

  it('cut to the vision outputs, the graph needs only pixel_values and holds no text weights', () => {
    const m = pruneToOutputs(readModelProto(full.file), ['image_embeds'])
    const g = m.graph!
    expect(g.input!.map((i) => i.name)).toEqual(['pixel_values'])
    expect(g.output!.map((o) => o.name)).toEqual(['image_embeds'])
    expect(g.node!.some((n) => (n.name ?? '').startsWith('/text_model/'))).toBe(false)
    expect(g.initializer!.some((t) => (t.name ?? '').startsWith('text_model.'))).toBe(false)
    expect(g.initializer!.some((t) => (t.name ?? '').startsWith('vision_model.'))).toBe(true)
  })

  it('cut to text outputs with tapped layers, it needs only the token inputs', () => {
    const names = [...TEXT_STREAM, 'text_embeds']
    const m = pruneToOutputs(addToModel(readModelProto(full.file), extraOutputs(full.file, names, 1)), names)
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['input_ids', 'attention_mask'])
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['text_embeds', ...TEXT_STREAM])
    expect(m.graph!.node!.some((n) => (n.name ?? '').startsWith('/vision_model/'))).toBe(false)
  })

  it('a pruned copy of the file (weights copied, tapped outputs appended) computes what the full graph computes with both towers fed', async () => {
    const B = 3
    const pixels = new Float32Array(B * 3 * 32 * 32).map((_, i) => Math.sin(i * 0.37))
    const ids = BigInt64Array.from([2n, 10n, 11n, 12n, 2n, 13n, 14n, 0n], (x) => x)
    const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n], (x) => x)
    const feedsText = { input_ids: new ort.Tensor('int64', ids, [2, 4]), attention_mask: new ort.Tensor('int64', mask, [2, 4]) }
    const feedsVision = { pixel_values: new ort.Tensor('float32', pixels, [B, 3, 32, 32]) }
    const whole = await ort.InferenceSession.create(full.file)
    const ref = await whole.run({ ...feedsText, ...feedsVision })
    const t = tmpDir()
    const copy = (name: string, wanted: string[]): string => {
      const dest = path.join(t.dir, name)
      writePrunedCopy(full.file, dest, prunePlan(readModelProto(full.file), wanted), extraOutputs(full.file, wanted, 1))
      return dest
    }
    const vision = await ort.InferenceSession.create(copy('vision.onnx', [VISION_STREAM[1]!, 'image_embeds']))
    const text = await ort.InferenceSession.create(copy('text.onnx', ['text_embeds', 'text_last_hidden_state']))
    expect([...vision.inputNames]).toEqual(['pixel_values'])
    expect([...vision.outputNames]).toEqual(['image_embeds', VISION_STREAM[1]])
    expect([...text.inputNames]).toEqual(['input_ids', 'attention_mask'])
    const v = await vision.run(feedsVision)
    const tx = await text.run(feedsText)
    expect(v.image_embeds!.dims).toEqual([B, 32])
    expect(Array.from(v.image_embeds!.data as Float32Array)).toEqual(Array.from(ref.image_embeds!.data as Float32Array))
    expect(Array.from(tx.text_embeds!.data as Float32Array)).toEqual(Array.from(ref.text_embeds!.data as Float32Array))
    expect(Array.from(tx.text_last_hidden_state!.data as Float32Array)).toEqual(Array.from(ref.text_last_hidden_state!.data as Float32Array))
    for (const s of [whole, vision, text]) await s.release()
    t.cleanup()
  })
})

describe('transformers.js split layout', () => {
  it('onnx/vision_model.onnx and onnx/text_model.onnx are one model with two towers', () => {
    expect(resolveGraphFile(SPLIT).file).toBe(path.join(SPLIT, 'onnx', 'vision_model.onnx'))
    const m = inspectModel(SPLIT)
    expect(m.towers.map((t) => [t.name, path.basename(t.file)])).toEqual([
      ['vision', 'vision_model.onnx'],
      ['text', 'text_model.onnx'],
    ])
    expect(m).toMatchObject({ tower: 'vision', pruneToTower: false, residualStream: VISION_STREAM.slice(0, 2).concat('last_hidden_state') })
    const t = selectTower(m, 'text')
    expect(t).toMatchObject({ file: path.join(SPLIT, 'onnx', 'text_model.onnx'), residualStream: TEXT_STREAM, modality: 'text' })
    expect(m.weightFiles.map((f) => path.basename(f))).toEqual(['vision_model.onnx', 'text_model.onnx'])
  })

  it('one graph file opened on its own is a single-tower model', () => {
    const m = inspectModel(path.join(SPLIT, 'onnx', 'text_model.onnx'))
    expect(m).toMatchObject({ towers: [], modality: 'text', tower: null })
    expect(m.weightFiles).toEqual([path.join(SPLIT, 'onnx', 'text_model.onnx')])
  })
})
