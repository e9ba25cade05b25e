import { AppError } from '../common/errors'
import { EXTRACT_PARAMS } from '../common/jobParams'
import { SchemaError } from '../common/schema'
import { extractFeatures } from '../core/features/extract'
import { getDataset } from '../core/registry/datasets'
import { getModel } from '../core/registry/models'
import type { JobFn } from './context'

export function parseParams<T>(schema: { parse(v: unknown, p: string): T }, params: unknown, kind: string): T {
  try {
    return schema.parse(params, 'params')
  } catch (e) {
    if (e instanceof SchemaError) throw new AppError('BAD_INPUT', `${kind} job: ${e.message}`)
    throw e
  }
}

/** Extracts (or finds cached, or resumes) one model's per-layer features on one dataset. */
export const extractJob: JobFn = async ({ ws, params, progress, signal }) => {
  const p = parseParams(EXTRACT_PARAMS, params, 'extract')
  const model = getModel(ws, p.modelId)
  const dataset = getDataset(ws, p.datasetId)
  return extractFeatures(
    ws,
    { modelPath: model.path, datasetPath: dataset.path, layers: p.layers ?? 'all', pool: p.pool ?? 'auto', batch: p.batch ?? 32, ep: p.ep ?? 'auto', limit: p.limit, tower: p.tower },
    { onProgress: (f, msg) => progress(f, `${model.name}: ${msg}`), signal },
  )
}
