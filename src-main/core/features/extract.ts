import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppError, badArg, badInput } from '../../common/errors'
import { loadDataset, type Dataset, type DatasetItem } from '../data/dataset'
import { writeFeatures } from '../data/npy'
import { loadTextEncoder, type TextEncoder } from '../data/text'
import { EP_CHOICES, type EpChoice } from '../onnx/ep'
import { requiredPaddingSide } from '../onnx/decoderInputs'
import { inspectModel, requireRunnable, streamProblems, selectTower, type ModelInfo } from '../onnx/modelInfo'
import { towerForItems } from '../onnx/towers'
import { TOWER_NAMES, type ExtractResult, type TowerName } from '../../common/contract/features'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'
import { runBatches, type BatchLoopResult } from './batchLoop'
import { ExtractTiming } from './extractProgress'
import { ExtractPreparation } from './preparation'
import { selectShard, type ShardSelection, type ShardSpec } from './shard'
import { POOL_CHOICES, resolvePool, type Pool, type PoolChoice } from './pool'
import { createFeatureSet, doneBatches, dropDamagedBatches, findFeatureSetByKey, finishFeatureSet, getFeatureSet, loadFeatures } from './store'
import { featureKey, type FeatureKeyParts } from './featureKey'

export interface ExtractRequest {
  modelPath: string
  datasetPath: string
  /** 'hidden' (default), 'all', or tensor names (array or comma list). */
  layers?: string | string[]
  pool?: PoolChoice
  batch?: number
  ep?: EpChoice
  limit?: number
  /** Also write `[N, L, D]` float32 .npy here. */
  out?: string
  /** Replace `out` if it exists (else refused). */
  overwrite?: boolean
  /** Prepare batches in a worker thread, overlapping session.run (default: see `preparationPlan`). */
  prepWorker?: boolean
  /** Wait until the worker is ready before the first batch instead of preparing inline meanwhile (tests). */
  prepWorkerWait?: boolean
  /** Which tower of a dual encoder runs; by default the one the dataset feeds (images: vision, else text). */
  tower?: TowerName
  /** Only this shard of the (limited) items, split by content hash (see `selectShard`). */
  shard?: ShardSpec
}

export interface ExtractHooks {
  onProgress?(fraction: number, message: string, etaSeconds: number | null): void
  signal?: AbortSignal
}

/** Resolves --layers against the model: declared hidden states, the stages of a CNN, the tapped residual stream, or names. */
export function resolveLayers(info: ModelInfo, spec: string | string[] | undefined): string[] {
  const s = spec ?? 'hidden'
  if (s === 'hidden') {
    if (info.hiddenStates.length === 0)
      throw badArg('layers', `${info.file} declares no hidden-state outputs; choose layers all to tap the block outputs, or name tensors listed by \`layers\``)
    return info.hiddenStates
  }
  if (s === 'all') {
    // Declared hidden states only when they cover every block (a BERT-style export declaring only
    // last_hidden_state does not); else the tapped stream.
    if (info.hiddenStates.length && info.hiddenStates.length >= info.residualStream.length) return info.hiddenStates
    // A CNN's (or hierarchical vision model's) stage outputs: feature maps of growing width.
    if (info.stages.length) return info.stages
    if (info.residualStream.length) {
      const wrong = streamProblems(info)
      if (wrong.length) throw badInput(info.file, `${wrong.join('; ')}: not a residual stream of one width; name the layers to extract (see \`layers\`)`)
      return info.residualStream
    }
    throw badArg('layers', `${info.file}: found no hidden states and no repeated blocks to tap; name tensors explicitly (see \`layers\`)`)
  }
  const names = (Array.isArray(s) ? s : s.split(',')).map((x) => x.trim()).filter(Boolean)
  if (names.length === 0) throw badArg('layers', 'expected hidden, all, or a comma list of tensor names')
  const known = new Set([...info.outputs.map((o) => o.name), ...info.tappable.map((t) => t.name)])
  for (const n of names) if (!known.has(n)) throw badArg('layers', `no output or tappable tensor named ${JSON.stringify(n)} in ${info.file} (see \`layers\`)`)
  if (new Set(names).size !== names.length) throw badArg('layers', 'a layer is listed twice')
  return names
}

/** SHA-256 of the model's bytes: the graph file, or graph plus external data files combined. */
export function modelSha256(ws: Workspace | null, info: ModelInfo): string {
  if (info.weightFiles.length === 1) return fileSha256(ws, info.file).sha256
  const lines = info.weightFiles.map((f) => `${path.relative(path.dirname(info.file), f)}\0${fileSha256(ws, f).sha256}\n`)
  return crypto.createHash('sha256').update(lines.join('')).digest('hex')
}

/** How inputs are made, for the cache key; with the tower of a dual encoder, so each tower's features are keyed apart. */
function preprocessingOf(ws: Workspace | null, info: ModelInfo, enc: TextEncoder | null, paddedRight: boolean): Record<string, unknown> {
  const tower = info.tower ? { tower: info.tower } : {}
  if (info.modality === 'vision') return { kind: 'image', input: info.imageInput, ...info.image!, ...tower }
  const t = info.tokenizer!
  return {
    ...tower,
    kind: 'text',
    tokenizer_sha256: fileSha256(ws, t.json).sha256,
    tokenizer_config_sha256: t.config ? fileSha256(ws, t.config).sha256 : null,
    max_length: enc!.prep.maxLength,
    add_special_tokens: enc!.prep.addSpecialTokens,
    ...(paddedRight ? { padding_side: 'right' } : {}),
  }
}

function checkRequest(req: ExtractRequest): { batch: number; ep: EpChoice; pool: PoolChoice; limit: number | null; tower: TowerName | null } {
  const batch = req.batch ?? 16
  if (!Number.isInteger(batch) || batch < 1 || batch > 65536) throw badArg('batch', `expected a positive integer, got ${req.batch}`)
  const ep = req.ep ?? 'auto'
  if (!(EP_CHOICES as readonly string[]).includes(ep)) throw badArg('ep', `expected one of ${EP_CHOICES.join(', ')}, got ${ep}`)
  const pool = req.pool ?? 'auto'
  if (!(POOL_CHOICES as readonly string[]).includes(pool)) throw badArg('pool', `expected one of ${POOL_CHOICES.join(', ')}, got ${pool}`)
  const limit = req.limit ?? null
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw badArg('limit', `expected a positive integer, got ${req.limit}`)
  const tower = req.tower ?? null
  if (tower !== null && !TOWER_NAMES.includes(tower)) throw badArg('tower', `expected one of ${TOWER_NAMES.join(', ')}, got ${tower}`)
  return { batch, ep, pool, limit, tower }
}

/**
 * Extracts pooled per-layer features `[N, L, D]` for a dataset and caches them in the workspace, batch
 * by batch. An identical request returns the cached set (`cached: true`) without running the model; an
 * interrupted one (crash, or `signal` aborted, which throws CANCELLED) resumes at the first missing batch.
 * Raw hidden states live only for one batch, so memory is O(batch x tokens x D x layers).
 */
export async function extractFeatures(ws: Workspace, req: ExtractRequest, hooks: ExtractHooks = {}): Promise<ExtractResult> {
  const t0 = performance.now()
  const checked = checkRequest(req)
  let info = inspectModel(req.modelPath)
  if (checked.tower) info = selectTower(info, checked.tower)
  // A dual encoder with no tower named runs the one the dataset feeds, known once its items are read.
  if (!info.towers.length || checked.tower) requireRunnable(info)
  const preparation = new ExtractPreparation(os.availableParallelism(), ws.arrays)
  try {
    return await extractWith(ws, req, checked, hooks, t0, info, preparation)
  } finally {
    preparation.cancel()
  }
}

/** What an extraction request names, read and checked: the items to run, how, and the cache key. */
interface ResolvedRequest {
  info: ModelInfo
  ds: Dataset
  shard: ShardSelection | null
  items: DatasetItem[]
  layers: string[]
  pool: Pool
  enc: TextEncoder | null
  keyParts: FeatureKeyParts
}

/** Reads the dataset (launching the preparation worker as soon as the item count is known), resolves layers and pooling, and keys the request. */
function resolveRequest(ws: Workspace, req: ExtractRequest, { batch, pool: poolChoice, limit, tower }: ReturnType<typeof checkRequest>, model: ModelInfo, preparation: ExtractPreparation): ResolvedRequest {
  let info = model
  const ds = loadDataset(req.datasetPath, ws, (parsed) => {
    if (info.towers.length && !tower) {
      info = selectTower(info, towerForItems(parsed))
      requireRunnable(info)
    }
    const n = limit !== null ? Math.min(limit, parsed.length) : parsed.length
    preparation.launch(info, Math.ceil(n / batch), req.prepWorker)
  })
  if (info.modality === 'vision' && !ds.hasImages) throw badInput(ds.path, 'the model is a vision model but this dataset has no image for every item')
  if (info.modality === 'text' && !ds.hasText) throw badInput(ds.path, 'the model is a text model but this dataset has no caption for every item')
  const requested = limit !== null ? ds.items.slice(0, limit) : ds.items
  if (req.shard && req.shard.count > requested.length) throw badArg('shard', `${ds.path} has ${requested.length} items, fewer than ${req.shard.count} shards; use at most ${requested.length}`)
  const shard = req.shard ? selectShard(ws, requested, req.shard) : null
  const items = shard ? shard.items : requested
  const layers = resolveLayers(info, req.layers)
  const pool = resolvePool(poolChoice, info.modality, { hasFeatureMaps: info.stages.length > 0, modelType: typeof info.config?.model_type === 'string' ? info.config.model_type : undefined })
  const enc = info.modality === 'text' ? loadTextEncoder(info.tokenizer!.json, info.tokenizer!.config, info.positionLimit ?? undefined) : null
  // Features of a left-padded model without position_ids were computed on shifted positions before; the
  // key says so, so those cached sets are not reused.
  const paddedRight = enc !== null && enc.prep.paddingSide === 'left' && requiredPaddingSide(info.inputs.map((i) => i.name)) === 'right'
  if (paddedRight) enc.prep.paddingSide = 'right'
  const keyParts: FeatureKeyParts = {
    modelSha256: modelSha256(ws, info),
    datasetSha256: ds.sha256,
    n: items.length,
    layers,
    pool,
    preprocessing: preprocessingOf(ws, info, enc, paddedRight),
    dtype: 'float32',
    ...(shard ? { subset: shard.subsetSha256 } : {}),
  }
  return { info, ds, shard, items, layers, pool, enc, keyParts }
}

async function extractWith(ws: Workspace, req: ExtractRequest, checked: ReturnType<typeof checkRequest>, hooks: ExtractHooks, t0: number, model: ModelInfo, preparation: ExtractPreparation): Promise<ExtractResult> {
  const r = resolveRequest(ws, req, checked, model, preparation)
  const { info, items } = r
  const timing = new ExtractTiming()
  const found = findFeatureSetByKey(ws, featureKey(r.keyParts))
  // Stored batches are verified before they are trusted (a cache hit or a resume): damaged ones are
  // dropped here and recomputed below like batches never done.
  const damaged = found ? dropDamagedBatches(ws, found.id) : []
  const existing = found && damaged.length ? getFeatureSet(ws, found.id) : found
  const result = (id: string, resumed: number, run: BatchLoopResult | null): ExtractResult => extractResult(ws, req, r, { id, t0, timing, resumed, damaged: damaged.length, run })
  if (existing && existing.state === 'complete') return result(existing.id, existing.nBatches, null)

  const set = existing ?? createFeatureSet(ws, { ...r.keyParts, modelPath: info.path, datasetPath: r.ds.path, modality: info.modality, batchSize: checked.batch, modelId: null, source: r.shard ? 'shard' : 'extract' })
  // A resumed set keeps its batch boundaries, so finished batches stay valid whatever --batch says now.
  const done = doneBatches(ws, set.id)
  const todo: number[] = []
  for (let b = 0; b < set.nBatches; b++) if (!done.has(b)) todo.push(b)
  const tmpDir = path.join(ws.dir, 'tmp')
  fs.mkdirSync(tmpDir, { recursive: true })
  const { preparer, threads } = preparation.open(info, todo.length, req.prepWorker, items, r.enc)
  if (req.prepWorkerWait) await preparer.ready
  const run = await runBatches({ ws, info, modelPath: req.modelPath, layers: r.layers, pool: r.pool, ep: checked.ep, tmpDir, setId: set.id, batchSize: set.batchSize, nBatches: set.nBatches, todo, resumed: done.size, items, preparer, threads, t0, timing, hooks })
  if (!finishFeatureSet(ws, set.id, run.ep, run.skipped)) throw new AppError('INTERNAL', `feature set ${set.id} has missing batches after extraction`)
  return result(set.id, done.size, run)
}

/**
 * The result for feature set `id` (written to `req.out` too when asked): cached (`run` null, every
 * batch counted as resumed) or computed now by `run` after `resumed` batches done before.
 */
function extractResult(
  ws: Workspace,
  req: ExtractRequest,
  { info, shard, keyParts, ds }: ResolvedRequest,
  { id, t0, timing, resumed, damaged, run }: { id: string; t0: number; timing: ExtractTiming; resumed: number; damaged: number; run: BatchLoopResult | null },
): ExtractResult {
  const s = getFeatureSet(ws, id)
  let out: string | undefined
  if (req.out) {
    out = path.resolve(req.out)
    const t = loadFeatures(ws, id)
    if (t.dims) throw badArg('out', `the layers have different widths (${t.dims.join(', ')}), so they do not fit one [N, L, D] .npy; the features are cached as feature set ${id} (align it by id), or choose layers of one width`)
    writeFeatures(out, t, { overwrite: req.overwrite })
  }
  return {
    feature_set: s.id,
    model_sha256: s.modelSha256,
    dataset_sha256: s.datasetSha256,
    n: s.n,
    layers: s.layers,
    dim: s.dim ?? 0,
    dims: s.layerDims ?? s.layers.map(() => s.dim ?? 0),
    pool: s.pool,
    ep: s.ep ?? 'cpu',
    cached: run === null,
    seconds: (performance.now() - t0) / 1000,
    skipped_eps: s.skippedEps,
    batches: { total: s.nBatches, resumed, computed: run?.computed ?? 0, damaged },
    timing: { total_s: (performance.now() - t0) / 1000, ...timing.figures() },
    preparation: run?.preparation ?? { mode: 'inline', threads: null, note: null },
    pooling: run?.pooling ?? null,
    batch_halved: run?.batchHalved ?? null,
    ...(out ? { out } : {}),
    ...(info.tower ? { tower: info.tower } : {}),
    ...(shard
      ? { shard: { index: shard.spec.index, count: shard.spec.count, n_total: shard.total, full_key: featureKey({ ...keyParts, n: shard.total, subset: undefined }), subset: shard.subsetSha256, members: shard.members } }
      : {}),
    warnings: ds.warnings,
  }
}
