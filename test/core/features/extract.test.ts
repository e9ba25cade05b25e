import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layerOf, type Tensor3 } from '../../../src-main/common/matrix'
import { loadDataset } from '../../../src-main/core/data/dataset'
import { readNpy } from '../../../src-main/core/data/npy'
import { loadTextEncoder } from '../../../src-main/core/data/text'
import { exportBundle, importBundle } from '../../../src-main/core/features/bundle'
import { extractFeatures, type ExtractRequest } from '../../../src-main/core/features/extract'
import { imageFeeds, textFeeds } from '../../../src-main/core/features/inputs'
import { poolLayerInto } from '../../../src-main/core/features/pool'
import { deleteFeatureSet, getFeatureSet, listFeatureSets, loadFeatures } from '../../../src-main/core/features/store'
import { verifyFeatureSets } from '../../../src-main/core/store/verify'
import { buildModel, FLOAT } from '../../../src-main/core/onnx/kernels/graphBuilder'
import { inspectModel } from '../../../src-main/core/onnx/modelInfo'
import { Workspace } from '../../../src-main/core/store/workspace'
import { BROKEN_MODELS, MODELS, SHAPES } from '../../helpers/fixtures'

let tmp: string
let ws: Workspace
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-extract-'))
  ws = Workspace.open(path.join(tmp, 'ws'))
})
afterAll(() => {
  ws.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

const N = 40
const req = (model: string, extra: Partial<ExtractRequest> = {}): ExtractRequest => ({ modelPath: path.join(MODELS, model), datasetPath: SHAPES, limit: N, ep: 'cpu', ...extra })
const features = async (r: ExtractRequest): Promise<Tensor3> => loadFeatures(ws, (await extractFeatures(ws, r)).feature_set)

function maxAbsDiff(a: Tensor3, b: Tensor3): number {
  expect([a.n, a.layers, a.dim]).toEqual([b.n, b.layers, b.dim])
  let m = 0
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!))
  return m
}

describe('extractFeatures: vision', () => {
  it('vit-tiny hidden states, CLS pooled, match a direct session.run on the same pixels', async () => {
    const r = await extractFeatures(ws, req('vit-tiny', { batch: 16 }))
    expect(r).toMatchObject({ n: N, dim: 48, pool: 'cls', ep: 'cpu', cached: false, layers: ['hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3', 'hidden_states.4'] })
    expect(r.model_sha256).toMatch(/^[0-9a-f]{64}$/)
    const f = loadFeatures(ws, r.feature_set)
    // Independent path: preprocess three items, run the user's file directly, take token 0.
    const info = inspectModel(path.join(MODELS, 'vit-tiny'))
    const items = loadDataset(SHAPES).items.slice(5, 8)
    const [feed] = imageFeeds(info, items)
    const s = await ort.InferenceSession.create(info.file)
    const out = await s.run(feed!.feeds)
    for (let l = 0; l < 5; l++) {
      const h = out[`hidden_states.${l}`]!.data as Float32Array
      const [, T, D] = out[`hidden_states.${l}`]!.dims as number[]
      for (let j = 0; j < 3; j++) for (let d = 0; d < D!; d++) expect(Math.abs(f.data[((5 + j) * 5 + l) * 48 + d]! - h[j * T! * D! + d]!)).toBeLessThan(1e-6)
    }
    await s.release()
  })

  it('does not depend on batch size or batch composition', async () => {
    const a = await features(req('vit-tiny', { batch: 16 }))
    const b = await features(req('vit-tiny', { batch: 7, pool: 'cls', layers: ['hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3', 'hidden_states.4'] }))
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5)
  })

  it('tapped vit-tiny-logits-only (--layers all) equals vit-tiny declared hidden states', async () => {
    const r = await extractFeatures(ws, req('vit-tiny-logits-only', { layers: 'all', batch: 13 }))
    expect(r.layers[0]).toBe('/encoder/Add_output_0')
    const a = await features(req('vit-tiny'))
    expect(maxAbsDiff(a, loadFeatures(ws, r.feature_set))).toBeLessThan(1e-5)
  })

  it('an explicitly named tensor can be chosen; unknown names are refused', async () => {
    const r = await extractFeatures(ws, req('vit-tiny-logits-only', { layers: '/encoder/layers/encoder_layer_1/Add_1_output_0', pool: 'mean', limit: 8 }))
    expect(r.layers).toHaveLength(1)
    await expect(extractFeatures(ws, req('vit-tiny', { layers: 'nope' }))).rejects.toThrow(/^layers: no output or tappable tensor named "nope"/)
    await expect(extractFeatures(ws, req('vit-tiny-logits-only'))).rejects.toThrow(/declares no hidden-state outputs; choose layers all/)
  })

  it('layers of different widths are stored per layer: each equals the layer extracted on its own', async () => {
    const both = await extractFeatures(ws, req('vit-tiny', { layers: 'hidden_states.1,logits', limit: 4 }))
    const t = loadFeatures(ws, both.feature_set)
    const hidden = loadFeatures(ws, (await extractFeatures(ws, req('vit-tiny', { layers: 'hidden_states.1', limit: 4 }))).feature_set)
    const logits = loadFeatures(ws, (await extractFeatures(ws, req('vit-tiny', { layers: 'logits', limit: 4 }))).feature_set)
    expect(both.dims).toEqual([hidden.dim, logits.dim])
    expect(hidden.dim).not.toBe(logits.dim)
    expect(t.dims).toEqual(both.dims)
    expect(Array.from(layerOf(t, 0).data)).toEqual(Array.from(hidden.data))
    expect(Array.from(layerOf(t, 1).data)).toEqual(Array.from(logits.data))
  })

  it('wrong-input-name fails with what to provide; a text dataset for a vision model is refused', async () => {
    await expect(extractFeatures(ws, { modelPath: path.join(BROKEN_MODELS, 'wrong-input-name'), datasetPath: SHAPES })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/provide a preprocessor_config\.json/) })
    const txt = path.join(tmp, 'caps.txt')
    fs.writeFileSync(txt, 'a red circle\n')
    await expect(extractFeatures(ws, { modelPath: path.join(MODELS, 'vit-tiny'), datasetPath: txt })).rejects.toThrow(/vision model but this dataset has no image/)
  })
})

describe('extractFeatures: bad activations', () => {
  it('a model whose features are not finite fails with BAD_INPUT naming the model and the batch, and records no batch', async () => {
    // Layer 0 is the pixels; layer 1 is log(0 * pixels) = -Infinity for every feature: a stand-in for a
    // checkpoint that overflows part-way through.
    const dir = path.join(tmp, 'inf-model')
    fs.mkdirSync(dir, { recursive: true })
    fs.copyFileSync(path.join(MODELS, 'vit-tiny', 'preprocessor_config.json'), path.join(dir, 'preprocessor_config.json'))
    const bytes = buildModel({
      name: 'inf',
      inputs: [{ name: 'pixel_values', type: FLOAT, shape: ['batch', 3, 32, 32] }],
      outputs: [
        { name: 'hidden_states.0', type: FLOAT, shape: ['batch', 3072] },
        { name: 'hidden_states.1', type: FLOAT, shape: ['batch', 3072] },
      ],
      nodes: [
        { op: 'Flatten', inputs: ['pixel_values'], outputs: ['hidden_states.0'], attrs: { axis: 1 } },
        { op: 'Mul', inputs: ['hidden_states.0', 'zero'], outputs: ['zeros'] },
        { op: 'Log', inputs: ['zeros'], outputs: ['hidden_states.1'] },
      ],
      consts: [{ name: 'zero', type: FLOAT, dims: [], values: [0] }],
    })
    fs.writeFileSync(path.join(dir, 'model.onnx'), bytes)
    const r = { modelPath: dir, datasetPath: SHAPES, limit: 12, batch: 4, ep: 'cpu' as const }
    await expect(extractFeatures(ws, r)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/inf-model.*non-finite value \(-Infinity\) at layer hidden_states\.1 for item 000, in batch 0 \(items 0\.\.3\)/) })
    const partial = listFeatureSets(ws).find((x) => x.modelPath.includes('inf-model'))!
    expect(partial).toMatchObject({ state: 'partial', batchesDone: 0 })
  })
})

describe('extractFeatures: text', () => {
  it('preparing batches in a worker thread gives the same features as preparing them inline (images and captions)', async () => {
    // prepWorkerWait: every batch goes through the worker (by default the first ones are prepared inline while it starts).
    const mine = Workspace.open(path.join(tmp, 'ws-worker'))
    const other = Workspace.open(path.join(tmp, 'ws-inline'))
    try {
      for (const model of ['vit-tiny', 'gpt-tiny']) {
        const w = await extractFeatures(mine, req(model, { batch: 8, prepWorker: true, prepWorkerWait: true }))
        const i = await extractFeatures(other, req(model, { batch: 8, prepWorker: false }))
        expect(w.preparation).toEqual({ mode: 'worker', threads: Math.max(1, os.availableParallelism() - 1), note: null })
        expect(i.preparation).toEqual({ mode: 'inline', threads: null, note: null })
        expect(i.cached).toBe(false)
        // The model session runs with one thread fewer beside the worker; onnxruntime's CPU kernels give
        // the same values whatever the thread count, so the comparison is exact.
        expect(maxAbsDiff(loadFeatures(mine, w.feature_set), loadFeatures(other, i.feature_set))).toBe(0)
      }
      // Without waiting, a 5-batch job may end before the worker is up: that is inline work, not a failure.
      const quick = Workspace.open(path.join(tmp, 'ws-quick'))
      try {
        const q = await extractFeatures(quick, req('vit-tiny', { batch: 8, prepWorker: true }))
        expect(q.preparation.note).toBeNull()
        expect(maxAbsDiff(loadFeatures(quick, q.feature_set), loadFeatures(other, (await extractFeatures(other, req('vit-tiny', { batch: 8 }))).feature_set))).toBe(0)
      } finally {
        quick.close()
      }
    } finally {
      mine.close()
      other.close()
    }
  })

  it('gpt-tiny mean-pooled features do not depend on batch size (different padding per batch)', async () => {
    const a = await features(req('gpt-tiny', { batch: 16 }))
    const b = await features(req('gpt-tiny', { batch: 1, layers: ['hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3', 'hidden_states.4'] }))
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5)
  })

  it('left and right padding give the same pooled features for every pool', async () => {
    const info = inspectModel(path.join(MODELS, 'gpt-tiny'))
    const items = loadDataset(SHAPES).items.slice(0, 6)
    items[2] = { ...items[2]!, caption: 'a circle' }
    const s = await ort.InferenceSession.create(info.file)
    for (const pool of ['mean', 'last', 'cls'] as const) {
      const res: Float32Array[] = []
      for (const side of ['right', 'left'] as const) {
        const enc = loadTextEncoder(info.tokenizer!.json, info.tokenizer!.config, 64)
        enc.prep.paddingSide = side
        const [feed] = textFeeds(info, enc, items)
        const out = await s.run(feed!.feeds, ['hidden_states.3'])
        const pooled = new Float32Array(6 * 64)
        poolLayerInto(out['hidden_states.3']!.data as Float32Array, out['hidden_states.3']!.dims, feed!.mask, pool, pooled, 0, 1)
        res.push(pooled)
      }
      let m = 0
      for (let i = 0; i < res[0]!.length; i++) m = Math.max(m, Math.abs(res[0]![i]! - res[1]![i]!))
      expect(m).toBeLessThan(1e-5)
    }
    await s.release()
  })

  it('the external-data model equals the inline one, for declared and for tapped layers', async () => {
    const a = await features(req('gpt-tiny'))
    const b = await features(req('gpt-tiny-external-data'))
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6)
    const tapped = ['/h.0/Add_output_0', '/h.3/Add_1_output_0']
    const c = await features(req('gpt-tiny', { layers: tapped, limit: 10 }))
    const d = await features(req('gpt-tiny-external-data', { layers: tapped, limit: 10 }))
    expect(maxAbsDiff(c, d)).toBeLessThan(1e-6)
    // The tapped copy lives in the workspace and is gone afterwards; the user's folder is untouched.
    expect(fs.readdirSync(path.join(ws.dir, 'tmp'))).toEqual([])
    expect(fs.readdirSync(path.join(MODELS, 'gpt-tiny-external-data', 'onnx')).sort()).toEqual(['model.onnx', 'model.onnx_data'])
  })
})

describe('feature cache', () => {
  it('a repeated request is a cache hit with the same numbers, and --out writes [N, L, D] float32', async () => {
    const first = await extractFeatures(ws, req('vit-tiny', { limit: 24 }))
    const again = await extractFeatures(ws, req('vit-tiny', { limit: 24, out: path.join(tmp, 'f.npy') }))
    expect(again.cached).toBe(true)
    expect(again.feature_set).toBe(first.feature_set)
    const npy = readNpy(path.join(tmp, 'f.npy'))
    expect(npy.shape).toEqual([24, 5, 48])
    expect(Array.from(npy.data)).toEqual(Array.from(loadFeatures(ws, first.feature_set).data))
  })

  it('a cancelled extraction resumes without recomputing finished batches', async () => {
    const ctl = new AbortController()
    // 128 batches: far more than can run before the first few files are durable (each a fsync).
    const r = req('gpt-tiny', { limit: 256, batch: 2, pool: 'last' })
    let calls = 0
    await expect(
      extractFeatures(ws, r, {
        signal: ctl.signal,
        onProgress: () => {
          if (++calls === 3) ctl.abort()
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    const partial = listFeatureSets(ws).find((s) => s.pool === 'last' && s.n === 256)!
    expect(partial.state).toBe('partial')
    // Progress is reported once a batch is stored, and writes overlap later runs: the three reported
    // batches are kept, and so is any that finished before the cancel was seen; none is thrown away.
    const kept = partial.batchesDone
    expect(kept).toBeGreaterThanOrEqual(3)
    expect(kept).toBeLessThan(128)
    expect(() => loadFeatures(ws, partial.id)).toThrow(/partial/)
    // Resume with another --batch: the stored boundaries win, and only the missing batches run.
    const done = await extractFeatures(ws, { ...r, batch: 16 })
    expect(done.batches).toEqual({ total: 128, resumed: kept, computed: 128 - kept, damaged: 0 })
    const fresh = Workspace.open(path.join(tmp, 'ws-fresh'))
    try {
      const full = await extractFeatures(fresh, r)
      expect(Array.from(loadFeatures(fresh, full.feature_set).data)).toEqual(Array.from(loadFeatures(ws, done.feature_set).data))
    } finally {
      fresh.close()
    }
  })

  it('an extraction cancelled before its first batch (while the session is created) is CANCELLED, and a rerun computes every batch', async () => {
    const ctl = new AbortController()
    ctl.abort()
    const r = req('vit-tiny', { limit: 20, batch: 4, pool: 'mean' })
    await expect(extractFeatures(ws, r, { signal: ctl.signal })).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('after 0/5 batches') })
    const partial = listFeatureSets(ws).find((s) => s.pool === 'mean' && s.n === 20 && s.layers.length === 5)!
    expect([partial.state, partial.batchesDone]).toEqual(['partial', 0])
    const done = await extractFeatures(ws, r)
    expect(done.batches).toEqual({ total: 5, resumed: 0, computed: 5, damaged: 0 })
  })

  it('exports a bundle, imports it elsewhere, and refuses a tampered one', async () => {
    const r = await extractFeatures(ws, req('vit-tiny', { limit: 24 }))
    const dir = path.join(tmp, 'bundle')
    const m = exportBundle(ws, r.feature_set, dir)
    expect(m).toMatchObject({ n: 24, dim: 48, layers: r.layers, model_sha256: r.model_sha256, dataset_sha256: r.dataset_sha256 })
    const other = Workspace.open(path.join(tmp, 'ws-import'))
    try {
      const s = importBundle(other, dir)
      expect(s).toMatchObject({ state: 'complete', source: 'import', n: 24, dim: 48 })
      expect(Array.from(loadFeatures(other, s.id).data)).toEqual(Array.from(loadFeatures(ws, r.feature_set).data))
      expect(importBundle(other, dir).id).toBe(s.id)
      const f = path.join(dir, 'features.npy')
      const buf = fs.readFileSync(f)
      buf[buf.length - 1]! ^= 1
      fs.writeFileSync(f, buf)
      expect(() => importBundle(Workspace.open(path.join(tmp, 'ws-import2')), dir)).toThrow(/features\.npy: SHA-256 .* does not match the manifest/)
    } finally {
      other.close()
    }
  })

  it('verify finds a corrupted batch file; delete removes the set and its arrays', async () => {
    const v = Workspace.open(path.join(tmp, 'ws-verify'))
    try {
      const r = await extractFeatures(v, req('vit-tiny', { limit: 10, batch: 5 }))
      expect(verifyFeatureSets(v).every((x) => x.ok)).toBe(true)
      const h = (v.db.prepare('SELECT array_sha256 AS h FROM feature_batches WHERE feature_set_id = ? AND batch_index = 1').get(r.feature_set) as { h: string }).h
      fs.writeFileSync(v.arrays.pathOf(h), Buffer.alloc(10))
      expect(verifyFeatureSets(v)).toEqual([{ id: r.feature_set, ok: false, problems: [`feature set ${r.feature_set}: batch 1 size 10 != 4800`], batches: 2, damaged: [1], damagedFiles: [h], incomplete: false }])
      deleteFeatureSet(v, r.feature_set)
      expect(() => getFeatureSet(v, r.feature_set)).toThrow(/not found/)
      expect(v.arrays.list()).toEqual([])
    } finally {
      v.close()
    }
  })
})
