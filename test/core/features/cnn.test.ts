import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { layerOf } from '../../../src-main/common/matrix'
import { align } from '../../../src-main/core/align/align'
import { extractFeatures } from '../../../src-main/core/features/extract'
import { getFeatureSet, listFeatureSets, loadFeatures } from '../../../src-main/core/features/store'
import { inspectModel } from '../../../src-main/core/onnx/modelInfo'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'

// Tiny torchvision ResNet / ConvNeXt / Swin exports (random weights, real module names, logits only) and
// PyTorch's spatial means of their stage outputs: test/fixtures/cnn/make_cnn_models.py.
const CNN = path.join(FIXTURES, 'cnn')
interface Ref {
  items: string[]
  models: Record<string, { layout: 'NCHW' | 'NHWC'; stages: string[]; widths: number[]; features: Record<string, number[][]> }>
}
const ref = JSON.parse(fs.readFileSync(path.join(CNN, 'reference.json'), 'utf8')) as Ref
const DATASET = path.join(CNN, 'dataset')

let tmp: string
let ws: Workspace
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cnn-'))
  ws = Workspace.open(path.join(tmp, 'ws'))
})
afterAll(() => {
  ws.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('CNN feature maps', () => {
  for (const [name, r] of Object.entries(ref.models)) {
    it(`${name}: layers finds the ${r.stages.length} stages (${r.layout}), and --layers all pools them by spatial mean within 1e-4 of PyTorch`, async () => {
      const info = inspectModel(path.join(CNN, name))
      expect(info.stages).toHaveLength(r.stages.length)
      // Scopes of the stages, in order: /layer1 .. /layer4, /features/features.0 .. 7, /resnet/encoder/stages.0 .. 3
      // (the exporter names a scope by the module's attribute, or parent.index inside a container).
      const scope = (m: string): string => (/\.\d+$/.test(m) ? m.split('.').slice(-2).join('.') : m)
      info.stages.forEach((t, i) => expect(t).toContain(`/${scope(r.stages[i]!)}/`))
      expect(info.stages.every((t) => info.channelsLast.includes(t))).toBe(r.layout === 'NHWC')
      const res = await extractFeatures(ws, { modelPath: path.join(CNN, name), datasetPath: DATASET, layers: 'all', ep: 'cpu', batch: 2 })
      expect(res.pool).toBe('mean')
      expect(res.dims).toEqual(r.widths)
      expect(res.dim).toBe(Math.max(...r.widths))
      const t = loadFeatures(ws, res.feature_set)
      let worst = 0
      r.stages.forEach((stage, l) => {
        const m = layerOf(t, l)
        expect([m.rows, m.cols]).toEqual([ref.items.length, r.widths[l]])
        ref.items.forEach((_, i) => r.features[stage]![i]!.forEach((v, c) => (worst = Math.max(worst, Math.abs(m.data[i * m.cols + c]! - v)))))
      })
      expect(worst).toBeLessThan(1e-4)
    })
  }

  it('refuses CLS or last-token pooling of a feature map, naming the layer', async () => {
    await expect(extractFeatures(ws, { modelPath: path.join(CNN, 'resnet-tiny'), datasetPath: DATASET, layers: 'all', pool: 'cls', ep: 'cpu' })).rejects.toThrow(
      /^pool: \/layer1\/layer1\.0\/relu_1\/Relu_output_0 is a feature map \[3, 8, 16, 16\] \(channels first\); it has no CLS token: choose pool mean/,
    )
  })

  it('--out refuses stages of different widths with a clear message (the set stays cached)', async () => {
    const out = path.join(tmp, 'f.npy')
    await expect(extractFeatures(ws, { modelPath: path.join(CNN, 'resnet-tiny'), datasetPath: DATASET, layers: 'all', ep: 'cpu', out })).rejects.toThrow(
      /^out: the layers have different widths \(8, 16, 32, 64\), so they do not fit one \[N, L, D\] \.npy; the features are cached as feature set fs-/,
    )
    expect(fs.existsSync(out)).toBe(false)
    const again = await extractFeatures(ws, { modelPath: path.join(CNN, 'resnet-tiny'), datasetPath: DATASET, layers: 'all', ep: 'cpu' })
    expect(again.cached).toBe(true)
  })

  it('aligns stages of different widths layer pair by layer pair (ResNet 4 stages x ConvNeXt 8)', async () => {
    const a = loadFeatures(ws, (await extractFeatures(ws, { modelPath: path.join(CNN, 'resnet-tiny'), datasetPath: DATASET, layers: 'all', ep: 'cpu' })).feature_set)
    const b = loadFeatures(ws, (await extractFeatures(ws, { modelPath: path.join(CNN, 'convnext-tiny'), datasetPath: DATASET, layers: 'all', ep: 'cpu' })).feature_set)
    const res = await align(a, b, { metrics: ['cka', 'mutual_knn'], k: 1, prep: 'l2' })
    const cka = res.metrics.cka!
    expect(cka.matrix).toHaveLength(4)
    expect(cka.matrix!.every((row) => row.length === 8)).toBe(true)
    // Each cell is the metric on that pair's own [N, D_i] and [N, D_j] matrices: check one against an
    // alignment of the two layers taken out on their own.
    const single = await align(layerOf(a, 2), layerOf(b, 5), { metrics: ['cka'], k: 1, prep: 'l2' })
    expect(cka.matrix![2]![5]).toBeCloseTo(single.metrics.cka!.score, 12)
  })

  it('a cancelled extraction of stages of different widths resumes into the same per-layer values', async () => {
    const ctl = new AbortController()
    const r = { modelPath: path.join(CNN, 'resnet-tiny'), datasetPath: SHAPES, layers: 'all', ep: 'cpu' as const, limit: 48, batch: 1 }
    let calls = 0
    await expect(extractFeatures(ws, r, { signal: ctl.signal, onProgress: () => void (++calls === 2 && ctl.abort()) })).rejects.toMatchObject({ code: 'CANCELLED' })
    const partial = listFeatureSets(ws).find((s) => s.n === 48 && s.state === 'partial')!
    expect(partial.layerDims).toEqual([8, 16, 32, 64])
    expect(partial.batchesDone).toBeLessThan(48)
    const done = await extractFeatures(ws, { ...r, batch: 16 })
    expect(done.batches.resumed).toBe(partial.batchesDone)
    expect(getFeatureSet(ws, done.feature_set).layerDims).toEqual([8, 16, 32, 64])
    const fresh = Workspace.open(path.join(tmp, 'ws-fresh'))
    try {
      const full = loadFeatures(fresh, (await extractFeatures(fresh, r)).feature_set)
      const resumed = loadFeatures(ws, done.feature_set)
      expect(resumed.dims).toEqual([8, 16, 32, 64])
      expect(Array.from(resumed.data)).toEqual(Array.from(full.data))
    } finally {
      fresh.close()
    }
  })
})
