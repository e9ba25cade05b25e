import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import type { DatasetDto, ModelDto } from '../../src-main/common/contract/registry'
import { modelRefsOf } from '../../src-main/common/modelRef'
import { loadFeatures } from '../../src-main/core/features/store'
import { Workspace } from '../../src-main/core/store/workspace'
import { runJobInProcess } from '../../src-main/jobs/runInProcess'
import type { SweepResult } from '../../src-main/common/contract/jobs'
import { align } from '../../src-main/core/align/align'
import { FIXTURES, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

/**
 * A CLIP-style model registered once is two entries for alignment, its vision and its text tower, and
 * a sweep aligns the image tower with the text tower on the same image–caption pairs.
 */
describe('a dual encoder in the workspace', () => {
  const t = tmpDir('pl-dual-api-')
  let b: Backend
  let clip: ModelDto
  let dataset: DatasetDto
  const params = { metric: 'mutual_knn' as const, k: 5, prep: 'clamp-exact' as const, q: 0.95, layersMode: 'max' as const }

  beforeAll(async () => {
    b = new Backend({ dataDir: t.dir, mode: 'in-process' })
    clip = await b.api['models.add']({ path: path.join(FIXTURES, 'models', 'clip-tiny') })
    dataset = await b.api['datasets.add']({ path: SHAPES })
  })
  afterAll(() => {
    b?.close()
    t.cleanup()
  })

  it('is registered once with both towers, and lists each tower\'s layers', async () => {
    expect(clip.modality).toBe('vision')
    expect(modelRefsOf([clip]).map((r) => [r.ref, r.label])).toEqual([
      [`${clip.id}:vision`, 'clip-tiny · vision'],
      [`${clip.id}:text`, 'clip-tiny · text'],
    ])
    const l = await b.api['models.layers']({ id: clip.id })
    expect(l.inputs.map((i) => i.name)).toEqual(['input_ids', 'pixel_values', 'attention_mask'])
    expect(l.towers!.map((x) => [x.name, x.inputs, x.residualStream.length])).toEqual([
      ['vision', ['pixel_values'], 3],
      ['text', ['input_ids', 'attention_mask'], 3],
    ])
  })

  it('a sweep aligns the image tower with the text tower; the matrix and feature list name the towers', async () => {
    const refs = [`${clip.id}:vision`, `${clip.id}:text`]
    const ws = Workspace.open(t.dir)
    let r: SweepResult
    try {
      r = await runJobInProcess(ws, 'sweep', { modelIds: refs, datasetId: dataset.id, metrics: ['mutual_knn'], k: 5, limit: 48, ep: 'cpu' }, () => undefined, new AbortController().signal)
      expect(r).toMatchObject({ pairs: 1, computed: 1 })
      const [a, c] = r.featureSets.map((id) => loadFeatures(ws, id))
      expect([a!.n, a!.layers, a!.dim, c!.n, c!.layers, c!.dim]).toEqual([48, 3, 48, 48, 3, 32])
      const m = await b.api['align.matrix']({ modelIds: refs, datasetId: dataset.id, ...params })
      expect(m.models.map((x) => [x.id, x.modelId, x.tower, x.name, x.modality])).toEqual([
        [refs[0], clip.id, 'vision', 'clip-tiny · vision', 'vision'],
        [refs[1], clip.id, 'text', 'clip-tiny · text', 'text'],
      ])
      expect(m.models.map((x) => x.featureSet)).toEqual(r.featureSets)
      const cell = m.cells[0]![1]!
      expect(m.cells[1]![0]!.score).toBe(cell.score)
      // What is stored is the vision tower's features (A) against the text tower's (B), not another pair.
      const direct = await align(a!, c!, { metrics: ['mutual_knn'], k: 5, prep: 'clamp-exact', q: 0.95 })
      expect(cell.score).toBe(direct.metrics.mutual_knn!.score)
      expect(cell.layers).toEqual(direct.metrics.mutual_knn!.layers)
      expect(cell.score).toBeGreaterThan(cell.chance)
      const names = (await b.api['features.list']({})).map((f) => f.modelName).sort()
      expect(names).toEqual(['clip-tiny · text', 'clip-tiny · vision'])
      // The model without a tower named is the tower the dataset feeds (images: vision).
      const plain = await b.api['align.matrix']({ modelIds: [clip.id, refs[1]!], datasetId: dataset.id, ...params })
      expect(plain.models[0]).toMatchObject({ tower: 'vision', featureSet: r.featureSets[0] })
    } finally {
      ws.close()
    }
  })

  it('a tower a model does not have is refused', async () => {
    await expect(b.api['align.matrix']({ modelIds: [`${clip.id}:audio`], datasetId: dataset.id, ...params })).rejects.toThrow(/no model with id/)
  })
})
