import { badArg } from '../common/errors'
import { layerOf } from '../common/matrix'
import { chooseBackend } from '../core/align/chooseBackend'
import { loadDataset } from '../core/data/dataset'
import { extractFeatures } from '../core/features/extract'
import { loadFeatures } from '../core/features/store'
import { findMapByKey, mapKey, saveMap } from '../core/maps/mapStore'
import { sampleIndices, takeRows } from '../core/maps/sampling'
import { itemMap } from '../core/maps/umap'
import { getDataset } from '../core/registry/datasets'
import { getModel } from '../core/registry/models'
import type { JobFn } from './context'

/** Neighbours kept per item for the linked-selection panel (mutual k-NN made visible). */
export const PANEL_K = 10

/**
 * Item map: extracts the model's features if needed, samples the dataset (never silently the first
 * N), computes the exact cosine k-NN with the alignment kernels, lays it out with UMAP (seeded) and
 * stores coordinates, neighbours and every parameter. An identical request returns the stored map.
 */
export const umapJob: JobFn<'umap'> = async ({ ws, params: p, progress, signal }) => {
  const model = getModel(ws, p.modelId)
  const dataset = getDataset(ws, p.datasetId)
  progress(0, `${model.name}: features`)
  const ex = await extractFeatures(ws, { modelPath: model.path, datasetPath: dataset.path, layers: 'all', pool: 'auto', batch: 32, ep: p.ep ?? 'auto' }, { onProgress: (f, m) => progress(0.3 * f, `${model.name}: ${m}`), signal })
  const layer = p.layer ?? ex.layers.length - 1
  if (layer >= ex.layers.length) throw badArg('layer', `${model.name} has ${ex.layers.length} layers (0–${ex.layers.length - 1}), got ${layer}`)
  const sample = { mode: p.sample?.mode ?? 'all', size: p.sample?.size ?? null, seed: p.sample?.seed ?? 0, field: p.sample?.field ?? null }
  const seed = p.seed ?? 0
  const nNeighbors = p.nNeighbors ?? 15
  const minDist = p.minDist ?? 0.1
  const key = mapKey({ v: 1, fs: ex.feature_set, layer, sample, nNeighbors, minDist, seed })
  const cached = findMapByKey(ws, key)
  if (cached) {
    progress(1, 'cached')
    return { map: cached.id, cached: true }
  }
  let strata: string[] | undefined
  if (sample.mode === 'stratified') {
    if (!sample.field) throw badArg('sample.field', 'stratified sampling needs a dataset field (e.g. an attribute such as "shape")')
    const items = loadDataset(dataset.path, ws).items
    strata = items.map((it) => it.attributes?.[sample.field!] ?? String((it.extra as Record<string, unknown> | undefined)?.[sample.field!] ?? ''))
  }
  const indices = sampleIndices(ex.n, { mode: sample.mode, size: sample.size ?? undefined, seed: sample.seed, strata })
  const F = takeRows(layerOf(loadFeatures(ws, ex.feature_set), layer), indices)
  const t0 = performance.now()
  const { backend } = await chooseBackend('auto')
  try {
    const m = await itemMap(F, { nNeighbors, minDist, seed, backend, signal, onProgress: (f, msg) => progress(0.3 + 0.7 * f, `UMAP ${msg}`) })
    const k = Math.min(PANEL_K, m.knn ? m.knn.k : 0)
    const knn: number[] = []
    if (m.knn) for (let i = 0; i < F.rows; i++) for (let j = 0; j < k; j++) knn.push(indices[m.knn.indices[i * m.knn.k + j]!]!)
    const saved = saveMap(ws, key, {
      featureSet: ex.feature_set,
      modelName: model.name,
      datasetId: dataset.id,
      layer,
      layerName: ex.layers[layer]!,
      nTotal: ex.n,
      params: { sample: { mode: sample.mode, size: sample.size, seed: sample.seed }, nNeighbors: m.nNeighbors, minDist: m.minDist, seed: m.seed, epochs: m.epochs },
      indices: [...indices],
      coords: [...m.coords.data].map((v) => Math.round(v * 1e4) / 1e4),
      knnK: k,
      knn,
      ep: m.ep,
      seconds: Math.round((performance.now() - t0) / 10) / 100,
    })
    progress(1, 'done')
    return { map: saved.id, cached: false }
  } finally {
    await backend.dispose?.()
  }
}
