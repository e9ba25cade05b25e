import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { blockScope } from '../../../src-main/core/onnx/graph'
import { inspectModel, requireRunnable } from '../../../src-main/core/onnx/modelInfo'
import { knownUnavailable } from '../../../src-main/core/onnx/ep'
import { BROKEN_MODELS, MODELS } from '../../helpers/fixtures'

describe('inspectModel', () => {
  it('vit-tiny: vision, declared hidden states in order, preprocessing from preprocessor_config.json', () => {
    const m = inspectModel(path.join(MODELS, 'vit-tiny'))
    expect(m.file).toBe(path.join(MODELS, 'vit-tiny', 'onnx', 'model.onnx'))
    expect(m.format).toBe('onnx-folder')
    expect(m.modality).toBe('vision')
    expect(m.imageInput).toBe('pixel_values')
    expect(m.inputs).toEqual([{ name: 'pixel_values', type: 'float32', shape: ['batch_size', 3, 32, 32] }])
    expect(m.hiddenStates).toEqual(['hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3', 'hidden_states.4'])
    expect(m.image?.resize).toEqual({ kind: 'exact', width: 32, height: 32 })
    expect(() => requireRunnable(m)).not.toThrow()
  })

  it('vit-tiny-logits-only: no hidden states; the residual stream is the block-0 input then each block output', () => {
    const m = inspectModel(path.join(MODELS, 'vit-tiny-logits-only'))
    expect(m.hiddenStates).toEqual([])
    expect(m.residualStream).toEqual([
      '/encoder/Add_output_0',
      '/encoder/layers/encoder_layer_0/Add_1_output_0',
      '/encoder/layers/encoder_layer_1/Add_1_output_0',
      '/encoder/layers/encoder_layer_2/Add_1_output_0',
      '/encoder/layers/encoder_layer_3/Add_1_output_0',
    ])
    const names = m.tappable.map((t) => t.name)
    for (const r of m.residualStream) expect(names).toContain(r)
    // Shape arithmetic is not offered as a layer.
    expect(m.tappable.some((t) => t.op === 'Shape')).toBe(false)
  })

  it('gpt-tiny and its external-data twin: text, tokenizer found, same graph summary', () => {
    const a = inspectModel(path.join(MODELS, 'gpt-tiny'))
    const b = inspectModel(path.join(MODELS, 'gpt-tiny-external-data'))
    expect(a.modality).toBe('text')
    expect(a.tokenizer?.json).toBe(path.join(MODELS, 'gpt-tiny', 'tokenizer.json'))
    expect(a.positionLimit).toBe(64)
    expect(a.externalDataFiles).toEqual([])
    expect(b.externalDataFiles).toEqual(['model.onnx_data'])
    expect(b.weightFiles).toEqual([b.file, path.join(path.dirname(b.file), 'model.onnx_data')])
    expect(b.hiddenStates).toEqual(a.hiddenStates)
    expect(b.residualStream).toEqual(a.residualStream)
    expect(a.residualStream.slice(0, 2)).toEqual(['hidden_states.0', 'hidden_states.1'])
  })

  it('opening the graph file of an Optimum folder finds the configs one level up', () => {
    const m = inspectModel(path.join(MODELS, 'vit-tiny', 'onnx', 'model.onnx'))
    expect(m.configDir).toBe(path.join(MODELS, 'vit-tiny'))
    expect(m.image).not.toBeNull()
  })

  it('a bare .onnx with a sidecar JSON gets modality and preprocessing from it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-sidecar-'))
    try {
      fs.copyFileSync(path.join(MODELS, 'vit-tiny-logits-only', 'onnx', 'model.onnx'), path.join(dir, 'm.onnx'))
      const bare = inspectModel(path.join(dir, 'm.onnx'))
      expect(bare.format).toBe('onnx-file')
      expect(bare.image).toBeNull()
      expect(() => requireRunnable(bare)).toThrow(/provide a preprocessor_config\.json .* or a sidecar m\.onnx\.json/)
      fs.writeFileSync(path.join(dir, 'm.onnx.json'), JSON.stringify({ modality: 'vision', preprocessing: { size: { height: 32, width: 32 }, resample: 2, image_mean: 0.5, image_std: 0.5 } }))
      const withSidecar = inspectModel(path.join(dir, 'm.onnx'))
      expect(withSidecar.sidecar).toBe(path.join(dir, 'm.onnx.json'))
      expect(withSidecar.image?.normalize).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] })
      expect(() => requireRunnable(withSidecar)).not.toThrow()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('broken models fail cleanly, naming the file', () => {
  it('truncated.onnx', () => {
    expect(() => inspectModel(path.join(BROKEN_MODELS, 'truncated.onnx'))).toThrow(/truncated\.onnx: not a valid ONNX model/)
  })
  it('not-onnx.onnx', () => {
    expect(() => inspectModel(path.join(BROKEN_MODELS, 'not-onnx.onnx'))).toThrow(/not-onnx\.onnx: not a valid ONNX model/)
  })
  it('wrong-input-name/: lists fine, but extraction says what to provide', () => {
    const m = inspectModel(path.join(BROKEN_MODELS, 'wrong-input-name'))
    expect(m.inputs.map((i) => i.name)).toEqual(['images'])
    expect(m.modality).toBe('vision')
    let err: unknown
    try {
      requireRunnable(m)
    } catch (e) {
      err = e
    }
    expect((err as { code?: string }).code).toBe('BAD_INPUT')
    expect(String(err)).toMatch(/model\.onnx: vision model without image preprocessing: provide a preprocessor_config\.json/)
  })
  it('a folder without any .onnx, and a missing path', () => {
    expect(() => inspectModel(path.join(MODELS, '..', 'datasets'))).toThrow(/no \.onnx file in this folder/)
    expect(() => inspectModel(path.join(MODELS, 'nope'))).toThrow(/model not found/)
  })
})

describe('graph helpers', () => {
  it('blockScope reads the usual exporter scopes', () => {
    expect(blockScope('/encoder/layers/encoder_layer_3/mlp/Add')).toEqual({ template: '/encoder/layers/encoder_layer_#', index: 3 })
    expect(blockScope('/h.0/attn/MatMul')).toEqual({ template: '/h.#', index: 0 })
    expect(blockScope('/model/layers.12/self_attn/Add')).toEqual({ template: '/model/layers.#', index: 12 })
    expect(blockScope('/model/layers/7/Add')).toEqual({ template: '/model/layers/#', index: 7 })
    expect(blockScope('/Concat_2')).toBeNull()
  })

  it('ep: missing CUDA libraries are a stated reason, not a crash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-ortbin-'))
    try {
      if (process.platform === 'linux') expect(knownUnavailable('cuda', dir)).toMatch(/CUDA libraries are not installed \(run npm run gpu:install-cuda/)
      fs.writeFileSync(path.join(dir, 'libonnxruntime_providers_cuda.so'), '')
      expect(knownUnavailable('cuda', dir)).toBeNull()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
