/**
 * Feature sets (cached per-layer features of a model on a dataset) and a model's layer listing, as the
 * API returns them, the pooling choices an extraction accepts, and what an extraction returns: the
 * `extract` job's result, which is also the CLI's `extract --json` document (docs/CLI.md).
 */

/** How a layer's token states become one vector per item (`--pool`); `auto` picks per modality. */
export const POOL_CHOICES = ['auto', 'cls', 'mean', 'last'] as const
export type PoolChoice = (typeof POOL_CHOICES)[number]
export type Pool = Exclude<PoolChoice, 'auto'>

export type FeatureSetState = 'partial' | 'complete'

/** A cached feature set as the API and views see it. */
export interface FeatureSet {
  id: string
  key: string
  modelId: string | null
  modelPath: string
  modelSha256: string
  datasetPath: string
  datasetSha256: string
  modality: string
  layers: string[]
  pool: string
  preprocessing: unknown
  dtype: string
  n: number
  /** Width of every layer; for layers of different widths (see layerDims), the largest. */
  dim: number | null
  /** Per-layer widths when layers differ in width (a CNN's stages), else null. */
  layerDims: number[] | null
  batchSize: number
  nBatches: number
  batchesDone: number
  ep: string | null
  skippedEps: { ep: string; reason: string }[]
  state: FeatureSetState
  source: 'extract' | 'import' | 'shard'
  createdAt: string
  finishedAt: string | null
  seconds: number
}

/** A feature set with the names of its model and dataset and its size on disk (`features.list`). */
export interface FeatureSetDto extends FeatureSet {
  modelName: string | null
  datasetName: string | null
  bytes: number
}

type Shape = (number | string | null)[] | null

/** What `models.layers` (and `layers --json`) reports about a model's graph. */
export interface LayerListing {
  modality: string
  inputs: { name: string; type: string; shape: Shape }[]
  outputs: { name: string; type: string; shape: Shape }[]
  hiddenStates: string[]
  residualStream: string[]
  tappable: { name: string; op: string; shape: Shape }[]
  /** A dual encoder's towers; hiddenStates and residualStream above are the first (vision) tower's. */
  towers?: { name: string; inputs: string[]; outputs: string[]; hiddenStates: string[]; residualStream: string[] }[]
  /** Width of every residual-stream tensor (config.json's hidden size, else the token embedding's), null when not one number. */
  hiddenSize?: number | null
  /** Why extraction would fail or be suspect, known before running (as `layers --json` reports them). */
  warnings?: string[]
}

/** The encoders of a dual-encoder model (CLIP, SigLIP) that can be run on their own. */
export const TOWER_NAMES = ['vision', 'text'] as const
export type TowerName = (typeof TOWER_NAMES)[number]

/** One item of a shard: its position in the dataset, its id and the SHA-256 of its content. */
export interface ShardItem {
  index: number
  id: string
  sha256: string
}

/** Where the batch was cut into smaller runs after onnxruntime ran out of memory. */
export interface BatchHalved {
  from: number
  to: number
  reason: string
}

/** The CLI.md `extract --json` document plus provenance and timing. */
export interface ExtractResult {
  feature_set: string
  model_sha256: string
  dataset_sha256: string
  n: number
  layers: string[]
  /** Width of the layers; the largest when they differ (see dims). */
  dim: number
  /** Width of each layer (a CNN's stages differ). */
  dims: number[]
  pool: string
  ep: string
  cached: boolean
  seconds: number
  skipped_eps: { ep: string; reason: string }[]
  /** Batches found already done (resumed run), computed now, and found damaged in the cache (so recomputed). */
  batches: { total: number; resumed: number; computed: number; damaged: number }
  /** Seconds inside session.run vs the whole extraction (decode, preprocess, tokenise, pool, cache). */
  timing: { total_s: number; setup_s: number; loop_s: number; session_run_s: number; prepare_s: number; pool_s: number; store_s: number }
  /** Where batches were prepared (`worker` or `inline`), the model session's intra-op threads, and why inline if a worker was wanted. */
  preparation: { mode: 'worker' | 'inline'; threads: number | null; note: string | null }
  /** Where layers were pooled: in the graph copy (only [batch, D] leaves onnxruntime) or in JavaScript, and why not in the graph; null for a cache hit. */
  pooling: { in: 'graph' | 'javascript'; note: string | null } | null
  /** Set when onnxruntime ran out of memory and batches were run in smaller parts (items per run before and after). */
  batch_halved: BatchHalved | null
  out?: string
  /** The tower that ran, for a model with several. */
  tower?: TowerName
  /** For a shard: which one, the item count and feature-set key of the whole (unsharded) request, and its members. */
  shard?: { index: number; count: number; n_total: number; full_key: string; subset: string; members: ShardItem[] }
  /** Where the dataset was read differently from the file (captions cut, invalid UTF-8), naming file, line and item. */
  warnings: string[]
}
