import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'
import { ISO_TIME, SHA256, type Cases, type Harness } from '../harness'

/** The demo sweep's parameters (the paper's setting), under which every demo pair is stored. */
export const DEMO_ALIGN = { metric: 'mutual_knn', k: 10, prep: 'clamp-exact', q: 0.95, layersMode: 'max' } as const
const DEMO_NAMES = ['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny', 'gpt-tiny (external data)']

const FEATURE_SET_SHAPE = {
  id: expect.stringMatching(/^fs-[0-9a-f]{16}$/),
  key: expect.any(String),
  modelId: expect.toBeOneOf([expect.any(String), null]),
  modelPath: expect.any(String),
  modelSha256: SHA256,
  datasetPath: expect.any(String),
  datasetSha256: SHA256,
  modality: expect.any(String),
  layers: expect.any(Array),
  pool: expect.any(String),
  preprocessing: expect.anything(),
  dtype: 'float32',
  n: expect.any(Number),
  dim: expect.any(Number),
  layerDims: null,
  batchSize: expect.any(Number),
  nBatches: expect.any(Number),
  batchesDone: expect.any(Number),
  ep: expect.any(String),
  skippedEps: expect.any(Array),
  state: 'complete',
  source: expect.stringMatching(/^(extract|import|shard)$/),
  createdAt: ISO_TIME,
  finishedAt: ISO_TIME,
  seconds: expect.any(Number),
  modelName: expect.any(String),
  datasetName: expect.toBeOneOf([expect.any(String), null]),
  bytes: expect.any(Number),
}

/** A feature set the cases may delete and restore: the scratch model on the first 8 captions. */
async function scratchFeatureSet(h: Harness): Promise<string> {
  const r = await h.runJob('extract', { modelId: h.scratchModel.id, datasetId: h.dataset.id, limit: 8 })
  return r.feature_set
}

async function featureSetOf(h: Harness, modelName: string): Promise<string> {
  const f = (await h.inProcess.call('features.list', {})).find((x) => x.modelName === modelName && x.n === 256)
  if (!f) throw new Error(`no 256-item feature set of ${modelName}`)
  return f.id
}

/** Layers, feature sets and stored alignment results (Models and Alignment views). */
export const ALIGN_CASES: Cases<'models.layers' | 'features.list' | 'features.export' | 'features.import' | 'features.delete' | 'align.matrix' | 'align.record'> = {
  'models.layers': async (h) => {
    const vit = await h.same('models.layers', { id: h.model('vit-tiny').id })
    const io = { name: expect.any(String), type: expect.any(String), shape: expect.toBeOneOf([expect.any(Array), null]) }
    expect(vit).toEqual({
      modality: 'vision',
      inputs: [{ ...io, name: 'pixel_values' }],
      outputs: expect.arrayContaining([io]),
      hiddenStates: expect.any(Array),
      residualStream: expect.any(Array),
      tappable: expect.any(Array),
      hiddenSize: expect.toBeOneOf([expect.any(Number), null]),
      warnings: expect.any(Array),
    })
    expect(vit.residualStream.length).toBeGreaterThan(1)
    for (const t of vit.tappable) expect(t).toEqual({ name: expect.any(String), op: expect.any(String), shape: expect.toBeOneOf([expect.any(Array), null]) })
    // A dual encoder lists its towers.
    const clip = await h.inProcess.call('models.add', { path: path.join(FIXTURES, 'models', 'clip-tiny') })
    const towers = (await h.same('models.layers', { id: clip.id })).towers
    expect(towers?.map((t) => t.name).sort()).toEqual(['text', 'vision'])
    await h.inProcess.call('models.remove', { id: clip.id })
    expect(await h.sameError('models.layers', { id: 'm_nope' })).toMatchObject({ code: 'NOT_FOUND' })
    expect(await h.sameError('models.layers', { id: 5 })).toEqual({ code: 'BAD_INPUT', message: 'models.layers: id: expected a string, got number' })
  },

  'features.list': async (h) => {
    const list = await h.same('features.list', {})
    for (const f of list) expect(f).toEqual(FEATURE_SET_SHAPE)
    // The colour experiment's features (colour words, colour patches) belong to no registered dataset.
    expect(list.filter((f) => f.datasetName === null).length).toBeGreaterThan(0)
    const full = list.filter((f) => f.n === 256)
    expect(full.map((f) => f.modelName).sort()).toEqual([...DEMO_NAMES].sort())
    expect(full.every((f) => f.datasetName === 'shapes-256')).toBe(true)
    expect(full.find((f) => f.modelName === 'vit-tiny')).toMatchObject({ modality: 'vision', modelSha256: h.model('vit-tiny').sha256, datasetSha256: h.dataset.sha256 })
    expect((await h.sameError('features.list', { model: 'x' })).message).toBe('features.list: model: unknown argument')
  },

  'features.export': async (h) => {
    const id = await featureSetOf(h, 'vit-tiny')
    const dir = path.join(h.scratch, 'bundle-vit')
    // Without overwrite the second export would refuse the first one's files, so both replace them.
    const r = await h.same('features.export', { id, dir, overwrite: true })
    expect(r).toEqual({ dir, files: ['features.npy', 'manifest.json'] })
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { n: number; model_sha256: string }
    expect(manifest).toMatchObject({ n: 256, model_sha256: h.model('vit-tiny').sha256 })
    const conflict = await h.sameError('features.export', { id, dir })
    expect(conflict.code).toBe('CONFLICT')
    expect(conflict.message).toContain('overwrite: true')
    expect(await h.sameError('features.export', { id: 'fs-nope', dir: path.join(h.scratch, 'none') })).toMatchObject({ code: 'NOT_FOUND' })
  },

  'features.import': async (h) => {
    const id = await scratchFeatureSet(h)
    const dir = path.join(h.scratch, 'bundle-scratch')
    await h.inProcess.call('features.export', { id, dir, overwrite: true })
    await h.inProcess.call('features.delete', { id })
    // The first import restores the set, the second finds it registered and returns it unchanged.
    const f = await h.same('features.import', { dir })
    expect(f).toEqual({ ...FEATURE_SET_SHAPE, id, n: 8, modelName: h.scratchModel.name, modality: 'text', datasetName: 'shapes-256', source: 'import', nBatches: 1, batchesDone: 1 })
    const notBundle = await h.sameError('features.import', { dir: SHAPES })
    expect(notBundle.code).toBe('BAD_INPUT')
    expect(notBundle.message).toContain('manifest.json')
  },

  'features.delete': async (h) => {
    const id = await scratchFeatureSet(h)
    const r = await h.both('features.delete', { id }, { between: async () => void (await scratchFeatureSet(h)) })
    expect(r).toEqual([{ removed: true }, { removed: true }])
    expect((await h.inProcess.call('features.list', {})).some((f) => f.id === id)).toBe(false)
    expect(await h.sameError('features.delete', { id })).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(id) })
  },

  'align.matrix': async (h) => {
    const modelIds = DEMO_NAMES.map((n) => h.model(n).id)
    const m = await h.same('align.matrix', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN })
    expect(m).toMatchObject({ ...DEMO_ALIGN, n: 256 })
    expect(m.models).toEqual(
      DEMO_NAMES.map((name, i) => ({ id: modelIds[i], modelId: modelIds[i], tower: null, name, modality: expect.stringMatching(/^(vision|text)$/), featureSet: expect.any(String), layers: expect.any(Array), dim: expect.any(Number) })),
    )
    expect(m.cells).toHaveLength(4)
    m.cells.forEach((row, i) => {
      expect(row).toHaveLength(4)
      row.forEach((c, j) => {
        if (i === j) return expect(c).toBeNull()
        expect(c).toEqual({
          recordId: expect.any(String),
          score: expect.any(Number),
          layers: [expect.any(Number), expect.any(Number)],
          ci95: null,
          chance: expect.closeTo(10 / 255, 12),
          n: 256,
          k: 10,
          undefined_reason: null,
          permutation: expect.objectContaining({ r: 50 }),
          // The demo calibrates mutual_knn (K = 200, α = 0.05) and adjusts p across its pairs.
          calibration: expect.objectContaining({ permutations: 200, alpha: 0.05, aggregate: 'max', p_value: expect.any(Number), threshold: expect.any(Number) }),
          pAdjusted: expect.any(Number),
        })
        const cal = c!.calibration!
        expect(cal.score).toBeCloseTo(Math.max((c!.score - cal.threshold) / (1 - cal.threshold), 0), 12)
        expect(c!.pAdjusted!).toBeGreaterThanOrEqual(cal.p_value)
      })
    })
    const bad = await h.sameError('align.matrix', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN, metric: 'nope' })
    expect(bad).toEqual({ code: 'BAD_INPUT', message: expect.stringMatching(/^align\.matrix: metric: expected one of mutual_knn, .*, got "nope"$/) })
    expect(await h.sameError('align.matrix', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN, q: 2 })).toEqual({ code: 'BAD_INPUT', message: 'align.matrix: q: must be <= 1, got 2' })
    expect(await h.sameError('align.matrix', { modelIds, datasetId: 'd_nope', ...DEMO_ALIGN })).toMatchObject({ code: 'NOT_FOUND' })
  },

  'align.record': async (h) => {
    const ids = [h.model('vit-tiny').id, h.model('gpt-tiny').id]
    const cell = (await h.inProcess.call('align.matrix', { modelIds: ids, datasetId: h.dataset.id, ...DEMO_ALIGN })).cells[0]![1]!
    const rec = await h.same('align.record', { id: cell.recordId })
    expect(rec).toMatchObject({ id: cell.recordId, metric: 'mutual_knn', k: 10, prep: 'clamp-exact', q: 0.95, layersMode: 'max', n: 256, permutations: 50, createdAt: ISO_TIME })
    expect(rec.inputA).toMatchObject({ kind: 'feature_set' })
    expect(rec.result.score).toBe(cell.score)
    expect(rec.layersA.length * rec.layersB.length).toBe(rec.result.matrix!.flat().length)
    expect(Math.max(...rec.result.matrix!.flat())).toBeCloseTo(rec.result.score, 12)
    expect(await h.sameError('align.record', { id: 'al_nope' })).toEqual({ code: 'NOT_FOUND', message: 'no alignment result al_nope' })
  },
}
