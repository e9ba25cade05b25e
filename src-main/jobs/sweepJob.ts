import { SWEEP_DEFAULTS } from '../common/contract/jobs'
import { badArg } from '../common/errors'
import type { Tensor3 } from '../common/matrix'
import { align, resolveOptions } from '../core/align/align'
import { chooseBackend } from '../core/align/chooseBackend'
import { ASYMMETRIC, type MetricName } from '../core/align/metrics'
import { adjustCalibratedP, alignmentCacheKey, findCachedAlignment, recordsOf, saveAlignment, type InputRef } from '../core/align/resultsStore'
import { extractFeatures } from '../core/features/extract'
import { loadFeatures } from '../core/features/store'
import { getDataset } from '../core/registry/datasets'
import { resolveModelRef } from '../core/registry/resolveModelRef'
import type { JobFn } from './context'
import { throwIfCancelled } from './context'

/**
 * "One click": extracts whatever features are missing for the chosen models on one dataset, then
 * aligns every pair of models with the chosen metrics and stores each score with its parameters.
 * Pairs whose results are already stored for these parameters are skipped, so re-running after a
 * crash or cancel continues where it stopped. Asymmetric metrics (cycle_knn, cknna) are computed in
 * both directions. A model may be named by tower (`id:vision`, `id:text`; see `parseModelRef`), so a dual
 * encoder's image tower and text tower are aligned with each other like two models.
 */
export const sweepJob: JobFn<'sweep'> = async ({ ws, params: p, progress, signal }) => {
  if (p.modelIds.length < 2) throw badArg('modelIds', 'choose at least two models to align')
  const dataset = getDataset(ws, p.datasetId)
  const models = p.modelIds.map((ref) => resolveModelRef(ws, ref, dataset))
  const metrics = (p.metrics ?? SWEEP_DEFAULTS.metrics) as readonly MetricName[]
  const opts = {
    metrics,
    k: p.k ?? SWEEP_DEFAULTS.k,
    prep: p.prep ?? SWEEP_DEFAULTS.prep,
    q: p.q ?? SWEEP_DEFAULTS.q,
    layers: p.layersMode ?? SWEEP_DEFAULTS.layersMode,
    bootstrap: p.bootstrap ?? 0,
    permutations: p.permutations ?? 0,
    calibrate: p.calibrate ?? 0,
    alpha: p.alpha,
    seed: p.seed ?? 0,
  }
  const resolved = resolveOptions(opts)

  // Phase 1 (first half of the bar): features for every model.
  const featureSets: string[] = []
  const extractShare = 0.5 / models.length
  for (const [i, m] of models.entries()) {
    throwIfCancelled(signal)
    const r = await extractFeatures(
      ws,
      { modelPath: m.model.path, datasetPath: dataset.path, layers: 'all', pool: 'auto', batch: 32, ep: p.ep ?? 'auto', limit: p.limit, ...(m.tower ? { tower: m.tower } : {}) },
      { onProgress: (f, msg) => progress(i * extractShare + f * extractShare, `${m.label}: ${msg}`), signal },
    )
    featureSets.push(r.feature_set)
  }

  // Phase 2: every pair (both directions when an asymmetric metric is asked for).
  const both = metrics.some((m) => ASYMMETRIC.has(m))
  const pairs: [number, number][] = []
  for (let i = 0; i < models.length; i++) for (let j = 0; j < models.length; j++) if (i !== j && (both || i < j)) pairs.push([i, j])
  const { backend, note } = await chooseBackend('auto')
  const cache = new Map<number, Tensor3>()
  const features = (i: number): Tensor3 => {
    let t = cache.get(i)
    if (!t) {
      t = loadFeatures(ws, featureSets[i]!)
      cache.set(i, t)
    }
    return t
  }
  const ref = (i: number): InputRef => ({ name: models[i]!.label, kind: 'feature_set', sha256: featureSets[i]! })
  let computed = 0
  let reused = 0
  try {
    for (const [pi, [i, j]] of pairs.entries()) {
      throwIfCancelled(signal)
      const wanted = metrics.filter((m) => (i < j ? true : ASYMMETRIC.has(m)))
      const missing = wanted.filter((m) => !findCachedAlignment(ws, alignmentCacheKey(ref(i), ref(j), m, resolved)))
      const base = 0.5 + (0.5 * pi) / pairs.length
      if (missing.length === 0) {
        reused++
        continue
      }
      progress(base, `aligning ${models[i]!.label} × ${models[j]!.label}`)
      const res = await align(features(i), features(j), {
        ...opts,
        metrics: missing,
        backend,
        nameA: models[i]!.label,
        nameB: models[j]!.label,
        signal,
        onProgress: (f, msg) => progress(base + (0.5 * f) / pairs.length, `${models[i]!.label} × ${models[j]!.label}: ${msg}`),
      })
      saveAlignment(ws, recordsOf(res, ref(i), ref(j), resolved))
      computed++
    }
  } finally {
    await backend.dispose?.()
  }
  const adjusted = resolved.calibrate > 0 ? adjustCalibratedP(ws, metrics, pairs.map(([i, j]) => [ref(i), ref(j)] as const), resolved) : {}
  progress(1, 'done')
  return { pairs: pairs.length, computed, reused, featureSets, ep: backend.ep, note, p_adjusted: adjusted }
}

