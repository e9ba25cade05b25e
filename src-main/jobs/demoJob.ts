import { listDatasets } from '../core/registry/datasets'
import { DEMO_MODELS, loadDemo } from '../core/registry/demo'
import { listModels, updateModel } from '../core/registry/models'
import type { JobFn } from './context'
import { throwIfCancelled } from './context'
import { sweepJob } from './sweepJob'
import { DEMO_COLOUR, DEMO_ITEM_MAPS, type DemoStep } from './demoExtras'

/** Workspace setting written once a demo run has finished every step (`demo.loaded` only means registered). */
export const DEMO_COMPLETE = 'demo.complete'

/** The metrics the demo computes: the paper's mutual k-NN plus the kernel and subspace metrics. */
export const DEMO_METRICS = ['mutual_knn', 'cycle_knn', 'cka', 'unbiased_cka', 'cknna', 'svcca'] as const

/**
 * The demo workspace end to end: registers the bundled models, dataset and paper tables, extracts
 * every model's features on shapes-256 and aligns every pair (k = 10, clamp-exact q = 0.95, best
 * layer pair, as in the paper). Each model's capability "parameters (M)" is its weight count, a real
 * number for the alignment-versus-capability plot (the sample models are untrained, so their scores
 * say nothing about the hypothesis).
 */
/** The metrics the demo also calibrates (K = 200, α = 0.05): those whose permutation null is cheap. */
export const DEMO_CALIBRATED = ['mutual_knn', 'cka'] as const
const CALIBRATION_WEIGHT = 0.5

export const demoJob: JobFn<'demo'> = async (ctx) => {
  const { ws, progress, signal } = ctx
  progress(0.01, 'registering the sample models, dataset and paper tables')
  await loadDemo(ws)
  const demoNames = new Set(DEMO_MODELS.map((m) => m.name))
  const models = listModels(ws).filter((m) => demoNames.has(m.name))
  for (const m of models) {
    if (m.capabilities['parameters (M)'] === undefined) updateModel(ws, m.id, { capabilities: { ...m.capabilities, 'parameters (M)': Math.round((m.bytes / 4 / 1e6) * 1000) / 1000 } })
  }
  const dataset = listDatasets(ws).find((d) => d.name === 'shapes-256')!
  const total = 1 + CALIBRATION_WEIGHT + DEMO_ITEM_MAPS.weight + DEMO_COLOUR.weight
  const sweepParams = { modelIds: models.map((m) => m.id), datasetId: dataset.id, k: 10, prep: 'clamp-exact', q: 0.95, layersMode: 'max', seed: 0 } as const
  const sweep = await sweepJob({
    ...ctx,
    params: { ...sweepParams, metrics: [...DEMO_METRICS], permutations: 50 },
    progress: (f, msg) => progress(0.02 + (0.98 * f) / total, msg),
  })
  // The metrics whose null is cheap are also calibrated, so the calibrated matrix and the report's calibration section have data.
  await sweepJob({
    ...ctx,
    params: { ...sweepParams, metrics: [...DEMO_CALIBRATED], permutations: 50, calibrate: 200 },
    progress: (f, msg) => progress(0.02 + (0.98 * (1 + CALIBRATION_WEIGHT * f)) / total, `calibration: ${msg}`),
  })
  let done = 1 + CALIBRATION_WEIGHT
  const ids = { modelIds: models.map((m) => m.id), datasetId: dataset.id }
  const run = async <R>(step: DemoStep<R>): Promise<R> => {
    throwIfCancelled(signal)
    const r = await step.run({ ...ctx, progress: (f, msg) => progress(0.02 + (0.98 * (done + f * step.weight)) / total, `${step.title}: ${msg}`) }, ids)
    done += step.weight
    return r
  }
  const itemMaps = await run(DEMO_ITEM_MAPS)
  const colour = await run(DEMO_COLOUR)
  ws.setSetting(DEMO_COMPLETE, '1')
  progress(1, 'demo ready')
  return { models: models.length, dataset: dataset.id, sweep, 'item maps': itemMaps, 'colour experiment': colour }
}
