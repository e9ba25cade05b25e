import { s, type Infer } from './schema'
import { LAYERS_MODES, METRIC_NAMES, PREPS } from './contract/align'
import { POOL_CHOICES } from './contract/features'
import { EP_CHOICES } from './contract/gpu'
import { PAPER_SIZES } from './contract/report'

const id = s.string({ min: 1, max: 200 })

/** Parameters of each job kind, validated by the job itself (jobs.start carries them opaquely). */
export const EXTRACT_PARAMS = s.object({
  modelId: id,
  datasetId: id,
  layers: s.optional(s.string({ min: 1, max: 10_000 })),
  pool: s.optional(s.literal(...POOL_CHOICES)),
  batch: s.optional(s.number({ int: true, min: 1, max: 4096 })),
  ep: s.optional(s.literal(...EP_CHOICES)),
  limit: s.optional(s.number({ int: true, min: 1 })),
  tower: s.optional(s.literal('vision', 'text')),
})
export type ExtractParams = Infer<typeof EXTRACT_PARAMS>

export const SWEEP_PARAMS = s.object({
  modelIds: s.array(id, { max: 200 }),
  datasetId: id,
  metrics: s.optional(s.array(s.literal(...METRIC_NAMES), { max: METRIC_NAMES.length })),
  k: s.optional(s.number({ int: true, min: 1, max: 100_000 })),
  prep: s.optional(s.literal(...PREPS)),
  q: s.optional(s.number({ min: 0, max: 1 })),
  layersMode: s.optional(s.literal(...LAYERS_MODES)),
  bootstrap: s.optional(s.number({ int: true, min: 0, max: 10_000 })),
  permutations: s.optional(s.number({ int: true, min: 0, max: 10_000 })),
  /** Permutations K of the aggregation-aware calibration (0 = none) and its level α. */
  calibrate: s.optional(s.number({ int: true, min: 0, max: 10_000 })),
  alpha: s.optional(s.number({ min: 0, max: 1 })),
  seed: s.optional(s.number({ int: true })),
  ep: s.optional(s.literal(...EP_CHOICES)),
  limit: s.optional(s.number({ int: true, min: 2 })),
})
export type SweepParams = Infer<typeof SWEEP_PARAMS>

/** Sweep defaults: the Platonic Representation Hypothesis paper's setting. */
export const SWEEP_DEFAULTS = { metrics: ['mutual_knn'] as const, k: 10, prep: 'clamp-exact' as const, q: 0.95, layersMode: 'max' as const, bootstrap: 0, permutations: 0, seed: 0 }

export const UMAP_PARAMS = s.object({
  modelId: id,
  datasetId: id,
  /** Index into the feature set's layers; default the last layer. */
  layer: s.optional(s.number({ int: true, min: 0 })),
  sample: s.optional(
    s.object({
      mode: s.literal('all', 'random', 'stratified'),
      size: s.optional(s.number({ int: true, min: 3 })),
      seed: s.optional(s.number({ int: true })),
      /** Dataset attribute whose values are the strata (stratified mode). */
      field: s.optional(s.string({ min: 1, max: 200 })),
    }),
  ),
  nNeighbors: s.optional(s.number({ int: true, min: 2, max: 200 })),
  minDist: s.optional(s.number({ min: 0, max: 1 })),
  seed: s.optional(s.number({ int: true })),
  ep: s.optional(s.literal(...EP_CHOICES)),
})
export type UmapParams = Infer<typeof UMAP_PARAMS>

export const COLOUR_PARAMS = s.object({
  textModelId: s.optional(id),
  visionModelId: s.optional(id),
  /** Folder of images for the co-occurrence side; default: the first registered dataset with images. */
  imageDir: s.optional(s.string({ min: 1, max: 4096 })),
  permutations: s.optional(s.number({ int: true, min: 0, max: 10_000 })),
  /** Permutations K of the aggregation-aware calibration (0 = none) and its level α. */
  calibrate: s.optional(s.number({ int: true, min: 0, max: 10_000 })),
  alpha: s.optional(s.number({ min: 0, max: 1 })),
  seed: s.optional(s.number({ int: true })),
  k: s.optional(s.number({ int: true, min: 1, max: 19 })),
})
export type ColourParams = Infer<typeof COLOUR_PARAMS>

export const REPORT_PARAMS = s.object({
  sections: s.optional(s.array(s.string({ min: 1, max: 40 }), { max: 20 })),
  paper: s.optional(s.literal(...PAPER_SIZES)),
})
export type ReportParams = Infer<typeof REPORT_PARAMS>

/** `evaluate`: a local vision-language checkpoint answering a multiple-choice benchmark folder. */
export const EVALUATE_PARAMS = s.object({
  modelPath: s.string({ min: 1, max: 4096 }),
  benchmarkPath: s.string({ min: 1, max: 4096 }),
  blind: s.optional(s.boolean()),
  limit: s.optional(s.number({ int: true, min: 1 })),
  batch: s.optional(s.number({ int: true, min: 1, max: 256 })),
  maxNewTokens: s.optional(s.number({ int: true, min: 1, max: 4096 })),
  ep: s.optional(s.literal(...EP_CHOICES)),
  label: s.optional(s.string({ min: 1, max: 200 })),
})
export type EvaluateParams = Infer<typeof EVALUATE_PARAMS>
