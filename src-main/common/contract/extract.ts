/**
 * Feature extraction as it crosses a process boundary: the `extract` job's result, the CLI's
 * `extract --json` document (docs/CLI.md) and the shard members a bundle lists.
 */

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
