import { s } from '../schema'
import { method } from '../apiMethod'
import type { FeatureSet } from '../../core/features/store'
import type { AlignmentRecord } from '../../core/align/resultsStore'
import type { MetricResult } from '../../core/align/align'
import type { CalibrationStats } from '../../core/align/calibration'

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

export const METRICS = ['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cka', 'cka_rbf', 'unbiased_cka', 'cknna', 'svcca', 'rsa', 'procrustes'] as const
export const PREPS = ['none', 'l2', 'clamp-exact', 'clamp-approx'] as const

/** Metric parameters that select stored results (the same ones the `align` command takes). */
export const alignParams = {
  metric: s.literal(...METRICS),
  k: s.number({ int: true, min: 1, max: 100_000 }),
  prep: s.literal(...PREPS),
  q: s.number({ min: 0, max: 1 }),
  layersMode: s.literal('max', 'max+concat'),
}

export interface LayerListing {
  modality: string
  inputs: { name: string; type: string; shape: (number | string | null)[] | null }[]
  outputs: { name: string; type: string; shape: (number | string | null)[] | null }[]
  hiddenStates: string[]
  residualStream: string[]
  tappable: { name: string; op: string; shape: (number | string | null)[] | null }[]
  /** A dual encoder's towers; hiddenStates and residualStream above are the first (vision) tower's. */
  towers?: { name: string; inputs: string[]; outputs: string[]; hiddenStates: string[]; residualStream: string[] }[]
  /** Width of every residual-stream tensor (config.json's hidden size, else the token embedding's), null when not one number. */
  hiddenSize?: number | null
  /** Why extraction would fail or be suspect, known before running (as `layers --json` reports them). */
  warnings?: string[]
}

export interface FeatureSetDto extends FeatureSet {
  modelName: string | null
  datasetName: string | null
  bytes: number
}

export interface MatrixCell {
  recordId: string
  score: number
  layers: [number, number] | null
  ci95: [number, number] | null
  chance: number
  n: number
  k: number
  undefinedReason: string | null
  permutation: MetricResult['permutation']
  /** Aggregation-aware calibration (its `score` is s_cal), without the null values; null when not calibrated. */
  calibration: CalibrationSummary | null
  /** Benjamini–Hochberg adjusted p across the pairs of the sweep that computed it, or null. */
  pAdjusted: number | null
}

export type CalibrationSummary = Omit<CalibrationStats, 'null_values'>

export interface AlignmentMatrix {
  /** `id` is the requested reference: a model id, or `id:tower` for a tower of a dual encoder (then `modelId` and `tower`). */
  models: { id: string; modelId?: string; tower?: string | null; name: string; modality: string; featureSet: string | null; layers: string[]; dim?: number | null }[]
  /** cells[i][j]: model i as A, model j as B; null where no stored result matches. */
  cells: (MatrixCell | null)[][]
  metric: string
  k: number
  prep: string
  q: number
  layersMode: string
  n: number | null
}

/** Feature sets and stored alignment results (Models and Alignment views). */
export const ALIGN_API = {
  'models.layers': method(s.object({ id })).returns<LayerListing>(),
  'features.list': method(s.object({})).returns<FeatureSetDto[]>(),
  'features.delete': method(s.object({ id })).returns<{ removed: boolean }>(),
  /** Existing bundle files in `dir` are replaced only with `overwrite: true` (else CONFLICT). */
  'features.export': method(s.object({ id, dir: path, overwrite: s.optional(s.boolean()) })).returns<{ dir: string; files: string[] }>(),
  'features.import': method(s.object({ dir: path })).returns<FeatureSetDto>(),
  'align.matrix': method(s.object({ modelIds: s.array(id, { max: 200 }), datasetId: id, ...alignParams })).returns<AlignmentMatrix>(),
  'align.record': method(s.object({ id })).returns<AlignmentRecord & { layersA: string[]; layersB: string[] }>(),
} as const
