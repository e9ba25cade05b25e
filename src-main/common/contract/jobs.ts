import { method, type MethodSpec } from '../apiMethod'
import { s, type Infer, type Schema } from '../schema'
import { LAYERS_MODES, METRIC_NAMES, PREPS } from './align'
import { POOL_CHOICES, TOWER_NAMES, type ExtractResult } from './features'
import { EP_CHOICES } from './gpu'
import { PAPER_SIZES, type Paper } from './report'

/**
 * Every job kind the app can start, with what it takes and what it returns. `jobs.start` checks the
 * parameters against the kind's schema before a job host is forked, so a bad parameter is a BAD_INPUT
 * naming the field (`params.modelId: expected a string`), never a failed job. The job host parses them
 * again with the same schema, and the job's function returns the result type named here
 * (src-main/jobs/kinds.ts binds each kind to its function). Test-only kinds are not part of this list:
 * they live in the job host's internal registry and cannot be started over the API.
 */

const id = s.string({ min: 1, max: 200 })
const ep = s.optional(s.literal(...EP_CHOICES))

// ---- extract -------------------------------------------------------------------------------------

/** `extract`: one model's per-layer features on one dataset (cached, resumable). */
export const EXTRACT_PARAMS = s.object({
  modelId: id,
  datasetId: id,
  layers: s.optional(s.string({ min: 1, max: 10_000 })),
  pool: s.optional(s.literal(...POOL_CHOICES)),
  batch: s.optional(s.number({ int: true, min: 1, max: 4096 })),
  ep,
  limit: s.optional(s.number({ int: true, min: 1 })),
  tower: s.optional(s.literal(...TOWER_NAMES)),
})
export type ExtractParams = Infer<typeof EXTRACT_PARAMS>

// ---- sweep ---------------------------------------------------------------------------------------

/** `sweep`: features for every model (extracted where missing), then every pair aligned and stored. */
export const SWEEP_PARAMS = s.object({
  /** Model ids, or `id:vision` / `id:text` for one tower of a dual encoder. */
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
  ep,
  limit: s.optional(s.number({ int: true, min: 2 })),
})
export type SweepParams = Infer<typeof SWEEP_PARAMS>

/** Sweep defaults: the Platonic Representation Hypothesis paper's setting. */
export const SWEEP_DEFAULTS = { metrics: ['mutual_knn'] as const, k: 10, prep: 'clamp-exact' as const, q: 0.95, layersMode: 'max' as const, bootstrap: 0, permutations: 0, seed: 0 }

export interface SweepResult {
  /** Model pairs in the sweep (both directions when an asymmetric metric was asked for). */
  pairs: number
  /** Pairs aligned now, and pairs whose results were already stored for these parameters. */
  computed: number
  reused: number
  /** The feature set of each model, in the order of `modelIds`. */
  featureSets: string[]
  /** Execution provider of the alignment kernels, and why the reference backend was used if it was. */
  ep: string
  note: string | null
  /** Calibrated sweeps: per metric, the pairs and how many stay significant after Benjamini–Hochberg. */
  p_adjusted: Record<string, { pairs: number; significant: number }>
}

// ---- umap ----------------------------------------------------------------------------------------

/** `umap`: an item map of one model's features (one layer, a sample of the dataset). */
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
  ep,
})
export type UmapParams = Infer<typeof UMAP_PARAMS>

/** The stored map's id (`maps.get`), and whether an identical request had already stored it. */
export interface UmapResult {
  map: string
  cached: boolean
}

// ---- colour --------------------------------------------------------------------------------------

/** `colour`: the PRH paper's colour experiment on the user's models and images. */
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

/** The stored run's id (`colour.get`) and its wall time. */
export interface ColourResult {
  run: string
  seconds: number
}

// ---- report --------------------------------------------------------------------------------------

/** `report`: the workspace report as a PDF in `<workspace>/reports/` (browser mode; the desktop app prints itself). */
export const REPORT_PARAMS = s.object({
  sections: s.optional(s.array(s.string({ min: 1, max: 40 }), { max: 20 })),
  paper: s.optional(s.literal(...PAPER_SIZES)),
})
export type ReportParams = Infer<typeof REPORT_PARAMS>

export interface ReportResult {
  /** File name inside the workspace's reports folder. */
  pdf: string
  bytes: number | null
  sections: string[]
  paper: Paper
}

// ---- evaluate ------------------------------------------------------------------------------------

/** `evaluate`: a local vision-language checkpoint answering a multiple-choice benchmark folder. */
export const EVALUATE_PARAMS = s.object({
  modelPath: s.string({ min: 1, max: 4096 }),
  benchmarkPath: s.string({ min: 1, max: 4096 }),
  blind: s.optional(s.boolean()),
  limit: s.optional(s.number({ int: true, min: 1 })),
  batch: s.optional(s.number({ int: true, min: 1, max: 256 })),
  maxNewTokens: s.optional(s.number({ int: true, min: 1, max: 4096 })),
  ep,
  label: s.optional(s.string({ min: 1, max: 200 })),
})
export type EvaluateParams = Infer<typeof EVALUATE_PARAMS>

/** Questions in the run, found already answered (a resumed run), and answered now. */
export interface EvaluateQuestionCounts {
  total: number
  resumed: number
  answered: number
}

export interface EvaluateTiming {
  seconds: number
  generate_s: number
  session_run_s: number
  generated_tokens: number
  tokens_per_s: number | null
  questions_per_min: number | null
}

export interface EvaluateJobResult {
  /** The stored evaluation run (`eval.runs`), and the model's name in it. */
  run_id: string
  model: string | null
  questions: EvaluateQuestionCounts
  timing: EvaluateTiming
  ep: string
}

// ---- demo ----------------------------------------------------------------------------------------

/** `demo`: the bundled models and dataset end to end (no parameters). */
export const DEMO_PARAMS = s.object({})

/** Also the CLI's `demo --json` document, less `workspace`, `report` and `seconds` (docs/CLI.md). */
export interface DemoResult {
  models: number
  dataset: string
  sweep: SweepResult
  'item maps': UmapResult[]
  'colour experiment': ColourResult
}

// ---- the registry --------------------------------------------------------------------------------

export const JOB_SPECS = {
  extract: method(EXTRACT_PARAMS).returns<ExtractResult>(),
  sweep: method(SWEEP_PARAMS).returns<SweepResult>(),
  demo: method(DEMO_PARAMS).returns<DemoResult>(),
  report: method(REPORT_PARAMS).returns<ReportResult>(),
  umap: method(UMAP_PARAMS).returns<UmapResult>(),
  colour: method(COLOUR_PARAMS).returns<ColourResult>(),
  evaluate: method(EVALUATE_PARAMS).returns<EvaluateJobResult>(),
} as const

type JobSpecs = typeof JOB_SPECS
export type JobKind = keyof JobSpecs
export const JOB_KINDS = Object.keys(JOB_SPECS) as JobKind[]
export type JobParams<K extends JobKind> = JobSpecs[K] extends MethodSpec<infer P, unknown> ? P : never
export type JobResult<K extends JobKind> = JobSpecs[K] extends MethodSpec<unknown, infer R> ? R : never

export function isJobKind(kind: unknown): kind is JobKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(JOB_SPECS, kind)
}

/** Checks a kind's parameters against its schema; throws SchemaError naming the field under `path`. */
export function parseJobParams<K extends JobKind>(kind: K, params: unknown, path = 'params'): JobParams<K> {
  return (JOB_SPECS[kind].args as Schema<JobParams<K>>).parse(params, path)
}

// ---- the API's view of a job ---------------------------------------------------------------------

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

interface JobDtoOf<K extends JobKind> {
  id: string
  kind: K
  title: string
  state: JobState
  fraction: number
  message: string
  etaSeconds: number | null
  error: string | null
  /**
   * When the job failed over one of its parameters: that parameter as the API names it (`modelIds`,
   * `layer`), so a form can point at the field; `error` then starts with the same name.
   */
  errorArg?: string
  /** Set once the job is done. */
  result: JobResult<K> | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

/** A job as `jobs.list`/`jobs.get`/`jobs.start` and the job events give it; `kind` tells the result's type. */
export type JobDto<K extends JobKind = JobKind> = { [P in K]: JobDtoOf<P> }[K]

/** A job that ended well, with its result. */
export type FinishedJob<K extends JobKind> = JobDto<K> & { state: 'done'; result: JobResult<K> }

/** The job with its result typed, if it is a `kind` job that is done; else null. */
export function finishedJob<K extends JobKind>(job: JobDto, kind: K): FinishedJob<K> | null {
  return job.kind === kind && job.state === 'done' && job.result !== null ? (job as FinishedJob<K>) : null
}

/** The arguments of `jobs.start`: a kind and its parameters, and a title for the jobs list. */
export type JobStartArgs = { [K in JobKind]: { kind: K; params: JobParams<K>; title?: string } }[JobKind]

const START_HEAD = s.object({ kind: s.literal(...JOB_KINDS), params: s.json(), title: s.optional(s.string({ max: 200 })) })

/** `jobs.start`'s schema: the kind first (one of JOB_KINDS), then the parameters against that kind's schema. */
export const JOB_START_ARGS: Schema<JobStartArgs> = {
  kind: 'job-start',
  parse(v, p) {
    const head = START_HEAD.parse(v, p)
    const params = parseJobParams(head.kind, head.params, p ? `${p}.params` : 'params')
    // TypeScript cannot tie `params` to `head.kind` through the union; parseJobParams did at run time.
    return { ...head, params } as JobStartArgs
  },
}
