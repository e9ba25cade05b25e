import { extractFeatures } from '../core/features/extract'
import { getDataset } from '../core/registry/datasets'
import { getModel } from '../core/registry/models'
import type { JobFn } from './context'

/** Extracts (or finds cached, or resumes) one model's per-layer features on one dataset. */
export const extractJob: JobFn<'extract'> = async ({ ws, params: p, progress, signal }) => {
  const model = getModel(ws, p.modelId)
  const dataset = getDataset(ws, p.datasetId)
  return extractFeatures(
    ws,
    { modelPath: model.path, datasetPath: dataset.path, layers: p.layers ?? 'all', pool: p.pool ?? 'auto', batch: p.batch ?? 32, ep: p.ep ?? 'auto', limit: p.limit, tower: p.tower },
    { onProgress: (f, msg) => progress(f, `${model.name}: ${msg}`), signal },
  )
}
