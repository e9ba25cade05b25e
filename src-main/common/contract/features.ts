/**
 * Feature sets (cached per-layer features of a model on a dataset) and a model's layer listing, as the
 * API returns them, and the pooling choices an extraction accepts.
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
