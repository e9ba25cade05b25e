import fs from 'node:fs'
import { AppError, badInput } from '../../common/errors'
import { raggedDims, type Tensor3 } from '../../common/matrix'
import type { Workspace } from '../store/workspace'
import type { FeatureSet, FeatureSetState } from '../../common/contract/features'
import { canonicalJson, featureKey, type FeatureKeyParts } from './featureKey'

export type { FeatureSet, FeatureSetState } from '../../common/contract/features'

interface Row {
  id: string
  key: string
  model_id: string | null
  model_path: string
  model_sha256: string
  dataset_path: string
  dataset_sha256: string
  modality: string
  layers: string
  pool: string
  preprocessing: string
  dtype: string
  n: number
  dim: number | null
  layer_dims: string | null
  batch_size: number
  n_batches: number
  ep: string | null
  skipped_eps: string
  state: FeatureSetState
  source: 'extract' | 'import' | 'shard'
  created_at: string
  finished_at: string | null
  seconds: number
  done: number
}

const SELECT = `SELECT s.*, (SELECT COUNT(*) FROM feature_batches b WHERE b.feature_set_id = s.id) AS done FROM feature_sets s`

function fromRow(r: Row): FeatureSet {
  return {
    id: r.id,
    key: r.key,
    modelId: r.model_id,
    modelPath: r.model_path,
    modelSha256: r.model_sha256,
    datasetPath: r.dataset_path,
    datasetSha256: r.dataset_sha256,
    modality: r.modality,
    layers: JSON.parse(r.layers) as string[],
    pool: r.pool,
    preprocessing: JSON.parse(r.preprocessing) as unknown,
    dtype: r.dtype,
    n: r.n,
    dim: r.dim,
    layerDims: r.layer_dims === null || r.layer_dims === undefined ? null : (JSON.parse(r.layer_dims) as number[]),
    batchSize: r.batch_size,
    nBatches: r.n_batches,
    batchesDone: r.done,
    ep: r.ep,
    skippedEps: JSON.parse(r.skipped_eps) as { ep: string; reason: string }[],
    state: r.state,
    source: r.source,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    seconds: r.seconds,
  }
}

export function getFeatureSet(ws: Workspace, id: string): FeatureSet {
  const r = ws.db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as Row | undefined
  if (!r) throw new AppError('NOT_FOUND', `feature set ${id} not found in ${ws.dir}`)
  return fromRow(r)
}

export function findFeatureSetByKey(ws: Workspace, key: string): FeatureSet | null {
  const r = ws.db.prepare(`${SELECT} WHERE s.key = ?`).get(key) as Row | undefined
  return r ? fromRow(r) : null
}

export function countFeatureSets(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM feature_sets').get() as { n: number }).n
}

export function listFeatureSets(ws: Workspace): FeatureSet[] {
  return (ws.db.prepare(`${SELECT} ORDER BY s.created_at, s.id`).all() as Row[]).map(fromRow)
}

/**
 * The newest complete feature set of a model on a dataset (by content hashes), or null. Views use it
 * to find stored alignments without recomputing anything. A shard (`extract --shard`) covers only part
 * of the items, so it never stands for the model on the dataset. `tower` picks one tower of a dual encoder.
 */
export function featureSetFor(ws: Workspace, modelSha256: string, datasetSha256: string, tower: string | null = null): FeatureSet | null {
  // A dual encoder's feature sets carry their tower's modality, which tells the two towers apart.
  const row = ws.db
    .prepare(`SELECT id FROM feature_sets WHERE model_sha256 = ? AND dataset_sha256 = ? AND state = 'complete' AND source != 'shard'${tower ? ' AND modality = ?' : ''} ORDER BY finished_at DESC LIMIT 1`)
    .get(modelSha256, datasetSha256, ...(tower ? [tower] : [])) as { id: string } | undefined
  return row ? getFeatureSet(ws, row.id) : null
}

/** Bytes of the array files a set's stored batches take (shared files counted once per batch). */
export function featureSetBytes(ws: Workspace, id: string): number {
  return (ws.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM feature_batches WHERE feature_set_id = ?').get(id) as { b: number }).b
}

/** A stored batch: which items it holds and the array file with their features. */
export interface BatchFile {
  batchIndex: number
  start: number
  count: number
  sha256: string
  bytes: number
}

/** The stored batches of a set, in order. */
export function batchFiles(ws: Workspace, id: string): BatchFile[] {
  return ws.db.prepare('SELECT batch_index AS batchIndex, start, count, array_sha256 AS sha256, bytes FROM feature_batches WHERE feature_set_id = ? ORDER BY batch_index').all(id) as BatchFile[]
}

/** Whether any batch still refers to an array file. */
function arrayInUse(ws: Workspace, sha256: string): boolean {
  return ws.db.prepare('SELECT 1 FROM feature_batches WHERE array_sha256 = ? LIMIT 1').get(sha256) !== undefined
}

function markPartial(ws: Workspace, id: string): void {
  ws.db.prepare("UPDATE feature_sets SET state = 'partial', finished_at = NULL WHERE id = ?").run(id)
}

/**
 * Drops the given batches of a set and marks it partial, so the next extraction recomputes them; a
 * damaged file no batch refers to any more is removed at once (`cache verify --repair`).
 */
export function dropBatches(ws: Workspace, id: string, batches: readonly number[], damagedFiles: Iterable<string>): void {
  ws.tx(() => {
    const del = ws.db.prepare('DELETE FROM feature_batches WHERE feature_set_id = ? AND batch_index = ?')
    for (const b of batches) del.run(id, b)
    markPartial(ws, id)
  })
  for (const h of damagedFiles) if (!arrayInUse(ws, h)) ws.arrays.remove(h)
}

export interface NewFeatureSet extends FeatureKeyParts {
  modelId?: string | null
  modelPath: string
  datasetPath: string
  modality: string
  batchSize: number
  source?: 'extract' | 'import' | 'shard'
  dim?: number | null
}

/** Creates the set for `key`, or returns the one another process created first. */
export function createFeatureSet(ws: Workspace, p: NewFeatureSet): FeatureSet {
  const key = featureKey(p)
  const id = `fs-${key.slice(0, 16)}`
  ws.tx(() => {
    ws.db
      .prepare(
        `INSERT OR IGNORE INTO feature_sets(id, key, model_id, model_path, model_sha256, dataset_path, dataset_sha256, modality, layers, pool,
           preprocessing, dtype, n, dim, batch_size, n_batches, state, source, created_at)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'partial',?,?)`,
      )
      .run(
        id, key, p.modelId ?? null, p.modelPath, p.modelSha256, p.datasetPath, p.datasetSha256, p.modality, JSON.stringify(p.layers), p.pool,
        canonicalJson(p.preprocessing), p.dtype, p.n, p.dim ?? null, p.batchSize, Math.ceil(p.n / p.batchSize), p.source ?? 'extract', new Date().toISOString(),
      )
  })
  return findFeatureSetByKey(ws, key)!
}

/** Indices of the batches already stored (a resumed run skips them). */
export function doneBatches(ws: Workspace, id: string): Set<number> {
  const rows = ws.db.prepare('SELECT batch_index FROM feature_batches WHERE feature_set_id = ?').all(id) as { batch_index: number }[]
  return new Set(rows.map((r) => r.batch_index))
}

/**
 * Stores one batch's pooled `[count, L, D]` float32 features: the bytes go to a content-addressed file
 * first (atomic rename), then the row is inserted in a transaction, so a crash leaves either a whole
 * batch or none (an orphan file at worst, collected by deleteFeatureSet/gcArrays).
 */
export function putBatch(ws: Workspace, id: string, batchIndex: number, start: number, count: number, features: Float32Array, dim: number, seconds: number): void {
  recordBatch(ws, id, batchIndex, start, count, ws.arrays.put(f32Bytes(features)), dim, seconds)
}

/** A batch whose array file is durable, waiting for its row. */
export interface StoredBatch {
  batchIndex: number
  start: number
  count: number
  stored: { sha256: string; bytes: number }
  dim: number
  seconds: number
}

/**
 * Records the rows of batches whose array files are already durable, several to a transaction. A
 * commit per batch, with its BEGIN/COMMIT round and WAL append, weighs on the extraction loop of a
 * small model whose batches run in milliseconds (`npm run bench -- --only extract`); grouped, several
 * rows share one round. A row is only ever added for a durable file, so a crash loses at most the rows
 * not yet flushed: those batches are recomputed on resume, and their files are found in place.
 * `due` says when to flush: `maxRows` rows waiting, or the oldest waiting `maxMs` (so a slow model,
 * whose batches take longer than that, still records every batch as it finishes).
 */
export class BatchRecorder {
  private rows: StoredBatch[] = []
  private oldest = 0
  private readonly write: (rows: (StoredBatch & { id: string })[]) => void

  constructor(
    ws: Workspace,
    private readonly id: string,
    private readonly maxRows = 16,
    private readonly maxMs = 50,
  ) {
    this.write = batchWriter(ws)
  }

  add(b: StoredBatch): void {
    if (this.rows.length === 0) this.oldest = performance.now()
    this.rows.push(b)
  }

  get pending(): number {
    return this.rows.length
  }

  due(): boolean {
    return this.rows.length >= this.maxRows || (this.rows.length > 0 && performance.now() - this.oldest >= this.maxMs)
  }

  /** Writes the waiting rows in one transaction; returns how many. Rows stay waiting if it fails. */
  flush(): number {
    if (this.rows.length === 0) return 0
    const rows = this.rows
    this.write(rows.map((r) => ({ ...r, id: this.id })))
    this.rows = []
    return rows.length
  }
}

/** One transaction for many batch rows, with its statements prepared once per connection (preparing costs more than running). */
const batchWriters = new WeakMap<Workspace['db'], (rows: (StoredBatch & { id: string })[]) => void>()

function batchWriter(ws: Workspace): (rows: (StoredBatch & { id: string })[]) => void {
  let w = batchWriters.get(ws.db)
  if (!w) {
    const insert = ws.db.prepare('INSERT OR IGNORE INTO feature_batches(feature_set_id, batch_index, start, count, array_sha256, bytes) VALUES (?,?,?,?,?,?)')
    const update = ws.db.prepare('UPDATE feature_sets SET dim = COALESCE(dim, ?), seconds = seconds + ? WHERE id = ?')
    // IMMEDIATE, as Workspace.tx: the write lock up front, so no upgrade deadlock with another writer.
    const tx = ws.db.transaction((rows: (StoredBatch & { id: string })[]) => {
      for (const r of rows) {
        insert.run(r.id, r.batchIndex, r.start, r.count, r.stored.sha256, r.stored.bytes)
        update.run(r.dim, r.seconds, r.id)
      }
    })
    w = (rows) => tx.immediate(rows)
    batchWriters.set(ws.db, w)
  }
  return w
}

/** The bytes of a float32 array, as stored in an array file (native little-endian). */
export function f32Bytes(features: Float32Array): Uint8Array {
  return new Uint8Array(features.buffer, features.byteOffset, features.byteLength)
}

function recordBatch(ws: Workspace, id: string, batchIndex: number, start: number, count: number, stored: { sha256: string; bytes: number }, dim: number, seconds: number): void {
  batchWriter(ws)([{ id, batchIndex, start, count, stored, dim, seconds }])
}

/** Marks a set complete if every batch is present; returns whether it is. */
export function finishFeatureSet(ws: Workspace, id: string, ep: string | null, skipped: { ep: string; reason: string }[]): boolean {
  return ws.tx(() => {
    const s = getFeatureSet(ws, id)
    if (s.batchesDone < s.nBatches) return false
    ws.db
      .prepare("UPDATE feature_sets SET state = 'complete', ep = COALESCE(?, ep), skipped_eps = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ?")
      .run(ep, JSON.stringify(skipped), new Date().toISOString(), id)
    return true
  })
}

export function setRunInfo(ws: Workspace, id: string, ep: string, skipped: { ep: string; reason: string }[]): void {
  ws.db.prepare('UPDATE feature_sets SET ep = ?, skipped_eps = ? WHERE id = ?').run(ep, JSON.stringify(skipped), id)
}

/**
 * Records the per-layer widths of a set whose layers differ in width (before its first batch is
 * stored); a set that has them already must get the same ones, else its batches would not line up.
 */
export function setLayerDims(ws: Workspace, id: string, dims: number[]): void {
  const ragged = raggedDims(dims)
  const s = getFeatureSet(ws, id)
  const known = s.layerDims ?? (s.dim !== null ? dims.map(() => s.dim!) : null)
  if (known) {
    if (known.join(',') !== dims.join(',')) throw new AppError('INTERNAL', `feature set ${id}: layer widths changed from [${known.join(', ')}] to [${dims.join(', ')}]`)
    return
  }
  if (ragged) ws.db.prepare('UPDATE feature_sets SET layer_dims = ? WHERE id = ? AND layer_dims IS NULL').run(JSON.stringify(ragged), id)
}

/** Values per item of a set: layers x dim, or the sum of the per-layer widths. */
export function itemValues(s: FeatureSet): number {
  return s.layerDims ? s.layerDims.reduce((a, d) => a + d, 0) : s.layers.length * (s.dim ?? 0)
}

/** Assembles a complete set into one `[N, L, D]` float32 tensor (ragged layers: see Tensor3.dims). */
export function loadFeatures(ws: Workspace, id: string): Tensor3 {
  const s = getFeatureSet(ws, id)
  if (s.state !== 'complete' || s.dim === null) throw badInput(id, `feature set is ${s.state} (${s.batchesDone}/${s.nBatches} batches); run the extraction again to finish it`)
  const L = s.layers.length
  const W = itemValues(s)
  const data = new Float32Array(s.n * W)
  const damaged: { batch: number; sha256: string; problem: string }[] = []
  for (const r of batchFiles(ws, id)) {
    const expected = r.count * W * 4
    if (r.bytes !== expected) throw new AppError('INTERNAL', `feature set ${id}: batch at ${r.start} has ${r.bytes} bytes, expected ${expected}`)
    const got = ws.arrays.read(r.sha256, expected)
    if (!got.ok) {
      damaged.push({ batch: r.batchIndex, sha256: r.sha256, problem: got.problem })
      continue
    }
    // Copy through a byte view: the Buffer's offset in Node's pool need not be 4-byte aligned.
    new Uint8Array(data.buffer, r.start * W * 4, expected).set(got.bytes)
  }
  if (damaged.length) {
    dropArrays(ws, damaged.map((d) => d.sha256))
    const first = damaged[0]!
    throw badInput(
      id,
      `${damaged.length} cached batch(es) failed verification (batch ${first.batch}: ${first.problem}) and were dropped; run the extraction again to recompute them`,
    )
  }
  return { data, n: s.n, layers: L, dim: s.dim, ...(s.layerDims ? { dims: s.layerDims } : {}) }
}

/**
 * Verifies every stored batch of a set (size and SHA-256, the name of its file) and drops the damaged
 * ones, so that the extraction resuming the set recomputes exactly those. Returns their indices.
 */
export function dropDamagedBatches(ws: Workspace, id: string): number[] {
  const bad = batchFiles(ws, id).filter((r) => !ws.arrays.verify(r.sha256, r.bytes).ok)
  if (bad.length) dropArrays(ws, bad.map((r) => r.sha256))
  return bad.map((r) => r.batchIndex)
}

/**
 * Forgets damaged array files: every batch row that refers to one (in any set, since identical batches
 * share a file) is deleted and its set marked partial, then the file is removed — also so that the
 * recomputed batch, whose bytes hash to the same name, is written afresh rather than taken as present.
 */
function dropArrays(ws: Workspace, hashes: string[]): void {
  ws.tx(() => {
    for (const h of hashes) {
      const sets = ws.db.prepare('SELECT DISTINCT feature_set_id AS id FROM feature_batches WHERE array_sha256 = ?').all(h) as { id: string }[]
      ws.db.prepare('DELETE FROM feature_batches WHERE array_sha256 = ?').run(h)
      for (const s of sets) markPartial(ws, s.id)
    }
  })
  for (const h of hashes) ws.arrays.remove(h)
}

/** Removes array files no batch references (left by deletes or by a crash between file and row). */
/**
 * Removes array files no row refers to. `minAgeMs` spares files younger than that: a concurrent
 * extraction writes a batch's file just before its row, so a repair running beside it must not take
 * the file in between.
 */
export function gcArrays(ws: Workspace, opts: { minAgeMs?: number } = {}): number {
  const cutoff = Date.now() - (opts.minAgeMs ?? 0)
  const used = new Set((ws.db.prepare('SELECT DISTINCT array_sha256 AS h FROM feature_batches').all() as { h: string }[]).map((r) => r.h))
  let removed = 0
  for (const h of ws.arrays.list()) {
    if (!used.has(h) && (opts.minAgeMs === undefined || fs.statSync(ws.arrays.pathOf(h)).mtimeMs < cutoff) && isFeatureArrayOrphan(ws, h)) {
      ws.arrays.remove(h)
      removed++
    }
  }
  return removed
}

// Other capabilities may keep arrays in the same store; only collect what no known table references.
function isFeatureArrayOrphan(ws: Workspace, h: string): boolean {
  const tables = ws.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  for (const { name } of tables) {
    if (name === 'feature_batches') continue
    const cols = ws.db.prepare(`PRAGMA table_info(${JSON.stringify(name)})`).all() as { name: string }[]
    for (const c of cols) {
      if (!/sha256/.test(c.name) || !/array/.test(c.name)) continue
      const hit = ws.db.prepare(`SELECT 1 FROM ${JSON.stringify(name)} WHERE ${JSON.stringify(c.name)} = ? LIMIT 1`).get(h)
      if (hit) return false
    }
  }
  return true
}

export function deleteFeatureSet(ws: Workspace, id: string): void {
  getFeatureSet(ws, id)
  const hashes = (ws.db.prepare('SELECT DISTINCT array_sha256 AS h FROM feature_batches WHERE feature_set_id = ?').all(id) as { h: string }[]).map((r) => r.h)
  ws.tx(() => {
    ws.db.prepare('DELETE FROM feature_batches WHERE feature_set_id = ?').run(id)
    ws.db.prepare('DELETE FROM feature_sets WHERE id = ?').run(id)
  })
  for (const h of hashes) if (!arrayInUse(ws, h) && isFeatureArrayOrphan(ws, h)) ws.arrays.remove(h)
}
