import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type * as ort from 'onnxruntime-node'
import { AppError, badInput } from '../../common/errors'
import { loadDataset } from '../data/dataset'
import { writeFeatures } from '../data/npy'
import { loadTextEncoder, type TextEncoder } from '../data/text'
import { EP_CHOICES, type EpChoice } from '../onnx/ep'
import { requiredPaddingSide } from '../onnx/decoderInputs'
import { inspectModel, requireRunnable, streamProblems, selectTower, type ModelInfo } from '../onnx/modelInfo'
import { towerForItems } from '../onnx/towers'
import { TOWER_NAMES, type BatchHalved, type ExtractResult, type TowerName } from '../../common/contract/features'
import { openModelSession } from '../onnx/tappedSession'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'
import { imageFitOf } from './imageFit'
import { BatchRunner } from './batchRunner'
import { toFeed } from './inputs'
import type { PlainFeed, PrepSpec } from './prepare'
import { launchPreparer, openPreparer, type PreparerLaunch } from './preparer'
import { selectShard, type ShardSpec } from './shard'
import { POOL_CHOICES, poolLayerInto, resolvePool, spatialMeanInto, type Pool, type PoolChoice } from './pool'
import { BatchRecorder, createFeatureSet, doneBatches, dropDamagedBatches, f32Bytes, findFeatureSetByKey, finishFeatureSet, getFeatureSet, loadFeatures, setLayerDims, setRunInfo, type StoredBatch } from './store'
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
      throw badInput('--layers', `${info.file} declares no hidden-state outputs; use --layers all to tap the block outputs, or name tensors listed by \`layers\``)
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
    throw badInput('--layers', `${info.file}: found no hidden states and no repeated blocks to tap; name tensors explicitly (see \`layers\`)`)
  }
  const names = (Array.isArray(s) ? s : s.split(',')).map((x) => x.trim()).filter(Boolean)
  if (names.length === 0) throw badInput('--layers', 'expected hidden, all, or a comma list of tensor names')
  const known = new Set([...info.outputs.map((o) => o.name), ...info.tappable.map((t) => t.name)])
  for (const n of names) if (!known.has(n)) throw badInput('--layers', `no output or tappable tensor named ${JSON.stringify(n)} in ${info.file} (see \`layers\`)`)
  if (new Set(names).size !== names.length) throw badInput('--layers', 'a layer is listed twice')
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

/** Weights below this size make a "small" model, whose batches run fast enough for preparation to matter. */
const SMALL_MODEL_BYTES = 64 * 2 ** 20

/**
 * Where batches are prepared and how many threads the session gets. The worker thread overlaps
 * decoding, preprocessing, tokenising and cache writes with session.run. Only small models give it a
 * core of their own: for them preparation is a large share of the work (measured on 2 cores with
 * `npm run bench -- --only extract`: vit-tiny 9.4-10.8k items/s with the worker and a 1-thread session
 * against 6.9-7.2k inline; gpt-tiny about the same either way, 6.0-6.6k against 6.0-7.2k, with 8-11% of
 * the loop outside session.run against 17-18%). For a large model a batch takes far longer to run than to
 * prepare, so the worker's brief bursts cost less than a lost core and the session keeps every core.
 * Short jobs (under 8 batches) stay inline; PLATONIC_LAB_PREP_WORKER=0 or 1 (or `requested`) decides.
 */
export function preparationPlan(info: ModelInfo, cores: number, batches: number, requested?: boolean): { worker: boolean; threads: number | null } {
  const env = process.env.PLATONIC_LAB_PREP_WORKER
  const worker = requested ?? (env === '0' ? false : env === '1' ? cores >= 2 : cores >= 2 && batches >= 8)
  if (!worker) return { worker, threads: null }
  let bytes = 0
  for (const f of info.weightFiles) {
    try {
      bytes += fs.statSync(f).size
    } catch {
      // missing files are reported when the session is created
    }
  }
  return { worker, threads: bytes < SMALL_MODEL_BYTES ? Math.max(1, cores - 1) : null }
}

/** What batch preparation needs to know about the model (plain data, sent to the worker). */
function prepSpec(info: ModelInfo): PrepSpec {
  if (info.modality === 'vision') return { kind: 'image', input: info.imageInput!, image: info.image!, fit: imageFitOf(info) }
  const t = info.tokenizer!
  return { kind: 'text', tokenizerJson: t.json, tokenizerConfig: t.config, positionLimit: info.positionLimit ?? null, inputNames: info.inputs.map((i) => i.name), decoder: info.decoder, paddingSide: requiredPaddingSide(info.inputs.map((i) => i.name)) }
}

function checkRequest(req: ExtractRequest): { batch: number; ep: EpChoice; pool: PoolChoice; limit: number | null; tower: TowerName | null } {
  const batch = req.batch ?? 16
  if (!Number.isInteger(batch) || batch < 1 || batch > 65536) throw badInput('--batch', `expected a positive integer, got ${req.batch}`)
  const ep = req.ep ?? 'auto'
  if (!(EP_CHOICES as readonly string[]).includes(ep)) throw badInput('--ep', `expected one of ${EP_CHOICES.join(', ')}, got ${ep}`)
  const pool = req.pool ?? 'auto'
  if (!(POOL_CHOICES as readonly string[]).includes(pool)) throw badInput('--pool', `expected one of ${POOL_CHOICES.join(', ')}, got ${pool}`)
  const limit = req.limit ?? null
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw badInput('--limit', `expected a positive integer, got ${req.limit}`)
  const tower = req.tower ?? null
  if (tower !== null && !TOWER_NAMES.includes(tower)) throw badInput('--tower', `expected one of ${TOWER_NAMES.join(', ')}, got ${tower}`)
  return { batch, ep, pool, limit, tower }
}

function toFloat32(name: string, t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array)
  if (t.type === 'float16') {
    const d = t.data as unknown as ArrayLike<number> & { constructor: { name: string } }
    if (d.constructor.name === 'Float16Array') return Float32Array.from(d)
    return halfBitsToFloat32(d as Uint16Array)
  }
  // Not in onnxruntime-common's type list yet, but a bfloat16 output arrives as its raw 16-bit patterns.
  if ((t.type as string) === 'bfloat16') return bfloat16BitsToFloat32(t.data as unknown as Uint16Array)
  throw badInput('--layers', `tensor ${name} is ${t.type}, not a float activation; pick another layer`)
}

/** IEEE 754 binary16 bit patterns to float32 (subnormals, infinities and NaN included). */
function halfBitsToFloat32(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length)
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!
    const s = x & 0x8000 ? -1 : 1
    const e = (x >> 10) & 0x1f
    const f = x & 0x3ff
    out[i] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15)
  }
  return out
}

/**
 * Checks one layer's output for pooling and returns its pooled width: `[B, D]` as is, `[B, T, D]` by
 * tokens, `[B, C, H, W]` (or `[B, H, W, C]`, `channelsLast`) by spatial mean only: a feature map has no
 * CLS or last token.
 */
function layerWidth(name: string, dims: readonly number[], f: { rows: number[]; mask: unknown; feeds: Record<string, ort.Tensor> }, pool: Pool, channelsLast: boolean): number {
  if (dims[0] !== f.rows.length) throw badInput('--layers', `${name} has batch size ${dims[0]}, expected ${f.rows.length}: not a per-item activation`)
  if (dims.length < 2 || dims.length > 4) throw badInput('--layers', `${name} has shape [${dims.join(', ')}]; expected [batch, tokens, dim], [batch, dim] or a [batch, channels, height, width] feature map`)
  if (dims.length === 4) {
    if (pool !== 'mean') throw badInput('--pool', `${name} is a feature map [${dims.join(', ')}] (${channelsLast ? 'channels last' : 'channels first'}); it has no ${pool === 'cls' ? 'CLS' : 'last'} token: use --pool mean (spatial mean)`)
    return channelsLast ? dims[3]! : dims[1]!
  }
  if (f.mask && dims.length === 3 && dims[1] !== f.feeds.input_ids!.dims[1]) throw badInput('--layers', `${name} has ${dims[1]} positions but the input has ${f.feeds.input_ids!.dims[1]} tokens; cannot apply the attention mask`)
  return dims[dims.length - 1]!
}

/** bfloat16 bit patterns to float32: the pattern is the upper half of the float32's bits. */
function bfloat16BitsToFloat32(h: Uint16Array): Float32Array {
  const bits = new Uint32Array(h.length)
  for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16
  return new Float32Array(bits.buffer)
}

/** Index of the first NaN or infinity in `a`, or -1 (a function of its own, so the loop stays tight). */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i
  return -1
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
  const cores = os.availableParallelism()
  // A preparation worker, if this job will want one, starts as soon as the item count is known, so it
  // boots while the dataset's images are checked and hashed and the session is created, and prepares the
  // first batches meanwhile: started later, its cold start held up the first ~8 batches of a
  // 4,096-item vit-tiny job in the built job host (~30 ms, 7% of the loop). A cache hit, an error or a
  // resumed job too short for a worker stops it unused.
  const early: { launch: PreparerLaunch | null } = { launch: null }
  try {
    return await extractWith(ws, req, checked, hooks, t0, info, cores, early)
  } finally {
    early.launch?.cancel()
  }
}

async function extractWith(
  ws: Workspace,
  req: ExtractRequest,
  { batch, ep, pool: poolChoice, limit, tower }: ReturnType<typeof checkRequest>,
  hooks: ExtractHooks,
  t0: number,
  info: ModelInfo,
  cores: number,
  early: { launch: PreparerLaunch | null },
): Promise<ExtractResult> {
  const ds = loadDataset(req.datasetPath, ws, (parsed) => {
    if (info.towers.length && !tower) {
      info = selectTower(info, towerForItems(parsed))
      requireRunnable(info)
    }
    const n = limit !== null ? Math.min(limit, parsed.length) : parsed.length
    if (info.modality !== 'unknown' && preparationPlan(info, cores, Math.ceil(n / batch), req.prepWorker).worker) early.launch = launchPreparer(prepSpec(info), ws.arrays.root)
  })
  if (info.modality === 'vision' && !ds.hasImages) throw badInput(ds.path, 'the model is a vision model but this dataset has no image for every item')
  if (info.modality === 'text' && !ds.hasText) throw badInput(ds.path, 'the model is a text model but this dataset has no caption for every item')
  const requested = limit !== null ? ds.items.slice(0, limit) : ds.items
  if (req.shard && req.shard.count > requested.length) throw badInput('--shard', `${ds.path} has ${requested.length} items, fewer than ${req.shard.count} shards; use at most ${requested.length}`)
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
  const tm = { setup_s: 0, loop_s: 0, session_run_s: 0, prepare_s: 0, pool_s: 0, store_s: 0 }
  let preparation: ExtractResult['preparation'] = { mode: 'inline', threads: null, note: null }
  let damaged: number[] = []
  let pooling: ExtractResult['pooling'] = null
  let batchHalved: BatchHalved | null = null
  const finish = (id: string, cached: boolean, computed: number, resumed: number): ExtractResult => {
    const s = getFeatureSet(ws, id)
    let out: string | undefined
    if (req.out) {
      out = path.resolve(req.out)
      const t = loadFeatures(ws, id)
      if (t.dims) throw badInput('--out', `the layers have different widths (${t.dims.join(', ')}), so they do not fit one [N, L, D] .npy; the features are cached as feature set ${id} (align it by id), or choose layers of one width`)
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
      cached,
      seconds: (performance.now() - t0) / 1000,
      skipped_eps: s.skippedEps,
      batches: { total: s.nBatches, resumed, computed, damaged: damaged.length },
      timing: { total_s: (performance.now() - t0) / 1000, ...tm },
      preparation,
      pooling,
      batch_halved: batchHalved,
      ...(out ? { out } : {}),
      ...(info.tower ? { tower: info.tower } : {}),
      ...(shard
        ? { shard: { index: shard.spec.index, count: shard.spec.count, n_total: shard.total, full_key: featureKey({ ...keyParts, n: shard.total, subset: undefined }), subset: shard.subsetSha256, members: shard.members } }
        : {}),
      warnings: ds.warnings,
    }
  }
  const found = findFeatureSetByKey(ws, featureKey(keyParts))
  // Stored batches are verified before they are trusted (a cache hit or a resume): damaged ones are
  // dropped here and recomputed below like batches never done.
  if (found) damaged = dropDamagedBatches(ws, found.id)
  const existing = found && damaged.length ? getFeatureSet(ws, found.id) : found
  if (existing && existing.state === 'complete') return finish(existing.id, true, 0, existing.nBatches)

  const set = existing ?? createFeatureSet(ws, { ...keyParts, modelPath: info.path, datasetPath: ds.path, modality: info.modality, batchSize: batch, modelId: null, source: shard ? 'shard' : 'extract' })
  // A resumed set keeps its batch boundaries, so finished batches stay valid whatever --batch says now.
  const bs = set.batchSize
  const done = doneBatches(ws, set.id)
  const resumed = done.size
  const todo: number[] = []
  for (let b = 0; b < set.nBatches; b++) if (!done.has(b)) todo.push(b)
  const tmp = path.join(ws.dir, 'tmp')
  fs.mkdirSync(tmp, { recursive: true })
  const plan = preparationPlan(info, cores, todo.length, req.prepWorker)
  const launched = plan.worker ? (early.launch ?? launchPreparer(prepSpec(info), ws.arrays.root)) : null
  // From here the preparer owns the worker (closed below), not the early launch.
  if (launched === early.launch) early.launch = null
  const preparer = launched ? launched.begin(items, ws.arrays, enc) : openPreparer(prepSpec(info), items, false, ws.arrays, enc)
  if (req.prepWorkerWait) await preparer.ready
  const threads = plan.threads
  const lap = (since: number): number => (performance.now() - since) / 1000
  const request = (b: number): { b: number; start: number; count: number; feeds: Promise<PlainFeed[]> } => {
    const start = b * bs
    const end = Math.min(items.length, start + bs)
    // Inline, this is the whole preparation; with the worker, posting the request.
    const tq = performance.now()
    const feeds = preparer.prepare(start, end)
    tm.prepare_s += lap(tq)
    // Rejections are handled where the batch is awaited; this keeps one from being reported as unhandled meanwhile.
    feeds.catch(() => undefined)
    return { b, start, count: end - start, feeds }
  }
  // Batches requested ahead of the one running: four, so the worker absorbs a slow batch (a garbage
  // collection in the worker takes 2-10 ms, three batches of a small model) without the session waiting
  // (measured on 2 cores, vit-tiny: with two ahead, 1% of batches waited 4-11 ms for the worker, ~7% of
  // the loop; with four, the 99th percentile wait was 0.1 ms). With a worker, the first ones are queued
  // before the session is created, so it prepares them meanwhile; one it has not started on by the time
  // it is needed (while it starts) is prepared here instead (`need`).
  const PREFETCH = 4
  const posted: ReturnType<typeof request>[] = []
  const post = (upTo: number): void => {
    while (posted.length <= upTo && posted.length < todo.length && !hooks.signal?.aborted) posted.push(request(todo[posted.length]!))
  }
  if (preparer.mode !== 'inline') post(PREFETCH - 1)
  let ms: Awaited<ReturnType<typeof openModelSession>>
  try {
    ms = await openModelSession(info, layers, ep, tmp, threads ? { intraOpNumThreads: threads } : {}, { pool, masked: info.modality === 'text' })
  } catch (e) {
    await preparer.close()
    throw e
  }
  setRunInfo(ws, set.id, ms.ep, ms.skipped)
  pooling = { in: ms.pooling ? 'graph' : 'javascript', note: ms.poolingNote }
  const fetch = ms.pooling ? [...ms.pooling.pooled, ...ms.pooling.shapes] : layers
  const runner = new BatchRunner(ms, fetch, pool, info.file, (h) => {
    batchHalved = h
    hooks.onProgress?.((resumed + computed) / set.nBatches, `out of memory with ${h.from} items per run; going on with ${h.to}`, null)
  })
  let computed = 0
  const tLoop = performance.now()
  tm.setup_s = (tLoop - t0) / 1000
  // Each batch: keep PREFETCH batches requested from the preparer, run b (onnxruntime-node's run holds
  // this thread until it returns, while the worker prepares later batches and writes earlier batches'
  // files), pool b, start storing b. Only the await of session.run counts as run time; preparing inline
  // or waiting for a prepared batch counts as prepare time. Cancellation is checked between batches;
  // whatever finished before it is recorded, so a rerun resumes there. A store takes a few ms (the
  // fsync, and the prefetched batches ahead of it in the worker's queue) and sometimes 40 (measured in
  // the built job host, vit-tiny), so several are in flight: up to MAX_STORES and MAX_STORE_BYTES of
  // pooled features, the oldest awaited before more start, which bounds memory. Rows of stored batches
  // are recorded a few to a transaction (BatchRecorder).
  const MAX_STORES = 16
  const MAX_STORE_BYTES = 64 * 2 ** 20
  const storing: { done: Promise<void>; bytes: number }[] = []
  let storingBytes = 0
  const recorder = new BatchRecorder(ws, set.id)
  // Progress counts a batch once its file is durable; its row follows within maxMs, and a cancel or an
  // error records every durable batch first, so a reported batch is never recomputed after a cancel.
  const stored = (b: StoredBatch): void => {
    recorder.add(b)
    computed++
    const eta = (lap(tLoop) / computed) * (todo.length - computed)
    hooks.onProgress?.((resumed + computed) / set.nBatches, `batch ${resumed + computed}/${set.nBatches}`, eta)
  }
  const record = (): void => void recorder.flush()
  // Waits for the oldest stores until `bytes` more fit (0: until none is in flight).
  const settleStores = async (bytes: number): Promise<void> => {
    const ts = performance.now()
    while (storing.length > 0 && (bytes === 0 || storing.length >= MAX_STORES || storingBytes + bytes > MAX_STORE_BYTES)) {
      const oldest = storing.shift()!
      storingBytes -= oldest.bytes
      await oldest.done
    }
    tm.store_s += lap(ts)
  }
  let lastTurn = performance.now()
  let failed = false
  let widthsKnown = false
  const channelsLast = new Set(info.channelsLast)
  try {
    for (let k = 0; k < todo.length; k++) {
      post(k + PREFETCH)
      const cur = posted[k]!
      const tw = performance.now()
      const tBatch = tw
      const plain = await preparer.need(cur.feeds)
      tm.prepare_s += lap(tw)
      let pooled: Float32Array | null = null
      // Per-layer widths and where each layer starts in an item's row (layers may differ in width).
      let dims: number[] = []
      let offsets: number[] = []
      let width = 0
      for (const whole of plain.map(toFeed)) {
        await runner.run(whole, (f, res, runSeconds) => {
          tm.session_run_s += runSeconds
          const tp = performance.now()
          const identity = f.rows.length === cur.count && f.rows.every((r, j) => r === j)
          // With pooling in the graph, a [B, T, D] layer arrives as [B, D] (other ranks unchanged); the
          // checks read the layer's own shape.
          const own = layers.map((_, l) => (ms.pooling ? Array.from(res[ms.pooling.shapes[l]!]!.data as BigInt64Array, Number) : res[fetch[l]!]!.dims))
          const widths = layers.map((name, l) => layerWidth(name, own[l]!, f, pool, channelsLast.has(name)))
          layers.forEach((name, l) => {
            const D = widths[l]!
            if (info.hiddenSize && D !== info.hiddenSize && info.residualStream.includes(name)) throw badInput(info.file, `${name} is ${D} wide but the residual stream is ${info.hiddenSize} wide (${info.hiddenSizeSource}), so it is not a residual-stream tensor; name the layers to extract (see \`layers\`)`)
          })
          if (!pooled) {
            dims = widths
            offsets = widths.map((_, l) => widths.slice(0, l).reduce((a, d) => a + d, 0))
            width = widths.reduce((a, d) => a + d, 0)
            // Shared memory, so handing the batch to the worker to write shares it instead of copying it
            // into the message (measured: ~60 µs a batch for vit-tiny's 30 KB in the loop).
            pooled = new Float32Array(new SharedArrayBuffer(cur.count * width * 4))
          } else if (widths.join() !== dims.join()) throw badInput('--layers', `layer widths changed between images of one batch ([${dims.join(', ')}], then [${widths.join(', ')}])`)
          const uniform = dims.every((d) => d === dims[0])
          layers.forEach((name, l) => {
            const t = res[fetch[l]!]!
            const x = toFloat32(name, t)
            const D = dims[l]!
            const into = (out: Float32Array, at: number, of: number): void =>
              t.dims.length === 4 ? spatialMeanInto(x, t.dims, channelsLast.has(name), out, at, of) : poolLayerInto(x, t.dims, f.mask, pool, out, at, of)
            if (identity && uniform) {
              into(pooled!, l, layers.length)
              return
            }
            // Images of several sizes come in groups, and layers may differ in width: pool the layer on
            // its own, then place each row at its item's row and the layer's offset.
            const tmpOut = new Float32Array(f.rows.length * D)
            into(tmpOut, 0, 1)
            f.rows.forEach((r, j) => pooled!.set(tmpOut.subarray(j * D, (j + 1) * D), r * width + offsets[l]!))
          })
          for (const name of Object.keys(res)) res[name]!.dispose?.()
          tm.pool_s += lap(tp)
        })
      }
      const features = pooled!
      const dim = Math.max(...dims)
      if (!widthsKnown) {
        setLayerDims(ws, set.id, dims)
        widthsKnown = true
      }
      const bad = firstNonFinite(features)
      if (bad >= 0) {
        const row = Math.floor(bad / width)
        const within = bad - row * width
        const layer = layers[offsets.findLastIndex((o) => o <= within)]
        throw badInput(req.modelPath, `the model produced a non-finite value (${features[bad]}) at layer ${layer} for item ${items[cur.start + row]!.id}, in batch ${cur.b} (items ${cur.start}..${cur.start + cur.count - 1})`)
      }
      await settleStores(features.byteLength)
      const ts = performance.now()
      const row = { batchIndex: cur.b, start: cur.start, count: cur.count, dim, seconds: lap(tBatch) }
      const st = preparer.store(f32Bytes(features)).then((file) => stored({ ...row, stored: file }))
      st.catch(() => undefined)
      storing.push({ done: st, bytes: features.byteLength })
      storingBytes += features.byteLength
      if (recorder.due()) record()
      tm.store_s += lap(ts)
      // Let SIGINT and IPC cancellation reach the signal between batches: a full event-loop turn at
      // least every 20 ms (a turn per batch cost ~5 µs per item at batch 32 on small models).
      if (performance.now() - lastTurn > 20) {
        await new Promise((r) => setImmediate(r))
        lastTurn = performance.now()
      }
      if (hooks.signal?.aborted) {
        await settleStores(0)
        record()
        throw new AppError('CANCELLED', `extraction cancelled after ${resumed + computed}/${set.nBatches} batches; run it again to resume`)
      }
    }
    await settleStores(0)
    record()
    tm.loop_s = lap(tLoop)
    // A job that ends before the worker is up ran inline, which is normal, not a failure worth a note.
    preparation = { mode: preparer.mode === 'worker' ? 'worker' : 'inline', threads, note: preparer.note }
  } catch (e) {
    failed = true
    throw e
  } finally {
    // Stores still in flight after an error finish (or fail) before the session and worker go away,
    // and the batches that did reach the disk are recorded, so a rerun resumes after them.
    await Promise.allSettled(storing.map((x) => x.done))
    if (failed) {
      try {
        record()
      } catch {
        // the first error is the one to report
      }
    }
    await preparer.close()
    await ms.close()
  }
  if (!finishFeatureSet(ws, set.id, ms.ep, ms.skipped)) throw new AppError('INTERNAL', `feature set ${set.id} has missing batches after extraction`)
  return finish(set.id, false, computed, resumed)
}
