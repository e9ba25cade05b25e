import crypto from 'node:crypto'
import type { AlignmentRecord, CalibrationSummary, InputRef, MatrixCell } from '../../common/contract/align'
import type { Workspace } from '../store/workspace'
import type { AlignResult, ResolvedOptions } from './align'
import { USES_K, type MetricName } from './metrics'
import type { PermutationStats } from './baselines'
import { benjaminiHochberg, type CalibrationStats } from './calibration'

export type { AlignmentRecord, InputRef } from '../../common/contract/align'

/**
 * The cache key of one metric: SHA-256 of the canonical JSON of the inputs' content hashes and the
 * parameters that can change that metric's score. Parameters a metric ignores are left out (k for
 * CKA, σ for everything but cka_rbf, the seed when nothing is random), so changing them still hits.
 */
export function alignmentCacheKey(a: InputRef, b: InputRef, metric: MetricName, o: ResolvedOptions): string {
  const clamp = o.prep === 'clamp-exact' || o.prep === 'clamp-approx'
  const random = o.bootstrap > 0 || o.permutations > 0
  const canonical = JSON.stringify({
    v: 1,
    a: a.sha256,
    b: b.sha256,
    metric,
    k: USES_K.has(metric) ? o.k : null,
    prep: o.prep,
    q: clamp ? o.q : null,
    layers: o.layers,
    rbf_sigma: metric === 'cka_rbf' ? o.rbfSigma : null,
    bootstrap: o.bootstrap,
    permutations: o.permutations,
    seed: random ? o.seed : null,
    // Added only when calibrating, so keys of uncalibrated results are unchanged.
    ...(o.calibrate > 0 ? { calibrate: o.calibrate, alpha: o.alpha, permutations_from: o.permutationSetSha ?? `seed:${o.seed}` } : {}),
  })
  return crypto.createHash('sha256').update(canonical).digest('hex')
}

/** Builds one record per metric of an align result (not yet stored). */
export function recordsOf(res: AlignResult, a: InputRef, b: InputRef, o: ResolvedOptions): AlignmentRecord[] {
  const runId = crypto.randomUUID()
  const createdAt = new Date().toISOString()
  return Object.entries(res.metrics).map(([metric, result]) => ({
    id: crypto.randomUUID(),
    runId,
    cacheKey: alignmentCacheKey(a, b, metric as MetricName, o),
    createdAt,
    inputA: a,
    inputB: b,
    metric: metric as MetricName,
    k: res.k,
    prep: res.prep,
    q: res.q,
    layersMode: res.layers_mode,
    rbfSigma: res.rbf_sigma,
    n: res.n,
    seed: res.seed,
    bootstrap: res.bootstrap,
    permutations: res.permutations,
    ep: res.ep,
    seconds: res.seconds,
    chance: res.chance.mutual_knn,
    calibrate: res.calibrate,
    alpha: res.calibrate > 0 ? res.alpha : null,
    pAdjusted: null,
    result,
  }))
}

export function saveAlignment(ws: Workspace, rec: AlignmentRecord | AlignmentRecord[]): void {
  const recs = Array.isArray(rec) ? rec : [rec]
  const stmt = ws.db.prepare(`INSERT INTO alignments (id, run_id, cache_key, created_at, input_a, input_b, input_a_kind, input_b_kind,
      input_a_sha256, input_b_sha256, metric, k, prep, q, layers_mode, rbf_sigma, n, seed, bootstrap, permutations, ep, seconds,
      score, layer_a, layer_b, matrix, ci_low, ci_high, null_stats, chance, undefined_reason, calibrate, alpha, calibration, p_adjusted)
    VALUES (@id, @runId, @cacheKey, @createdAt, @inputA, @inputB, @inputAKind, @inputBKind, @inputASha, @inputBSha, @metric, @k, @prep,
      @q, @layersMode, @rbfSigma, @n, @seed, @bootstrap, @permutations, @ep, @seconds, @score, @layerA, @layerB, @matrix, @ciLow,
      @ciHigh, @nullStats, @chance, @undefinedReason, @calibrate, @alpha, @calibration, @pAdjusted)`)
  const checksummed = ws.db.prepare('UPDATE alignments SET checksum = ? WHERE id = ?')
  ws.tx(() => {
    for (const r of recs) {
      const bound = {
        id: r.id,
        runId: r.runId,
        cacheKey: r.cacheKey,
        createdAt: r.createdAt,
        inputA: r.inputA.name,
        inputB: r.inputB.name,
        inputAKind: r.inputA.kind,
        inputBKind: r.inputB.kind,
        inputASha: r.inputA.sha256,
        inputBSha: r.inputB.sha256,
        metric: r.metric,
        k: r.k,
        prep: r.prep,
        q: r.q,
        layersMode: r.layersMode,
        rbfSigma: r.rbfSigma,
        n: r.n,
        seed: r.seed,
        bootstrap: r.bootstrap,
        permutations: r.permutations,
        ep: r.ep,
        seconds: r.seconds,
        score: r.result.score,
        layerA: r.result.layers ? r.result.layers[0] : null,
        layerB: r.result.layers ? r.result.layers[1] : null,
        matrix: r.result.matrix ? JSON.stringify(r.result.matrix) : null,
        ciLow: r.result.ci95 ? r.result.ci95[0] : null,
        ciHigh: r.result.ci95 ? r.result.ci95[1] : null,
        nullStats: r.result.permutation ? JSON.stringify(r.result.permutation) : null,
        chance: r.chance,
        undefinedReason: r.result.undefined_reason,
        calibrate: r.calibrate,
        alpha: r.alpha,
        calibration: r.result.calibration ? JSON.stringify(r.result.calibration) : null,
        pAdjusted: r.pAdjusted,
      }
      stmt.run(bound)
      checksummed.run(checksumOf((c) => bound[c[0]]), r.id)
    }
  })
}

/**
 * The checksummed columns: [name bound on insert, column name]. Everything but the id, the checksum
 * and p_adjusted, which a sweep sets afterwards across its pairs.
 */
const CHECKED = [
  ['runId', 'run_id'], ['cacheKey', 'cache_key'], ['createdAt', 'created_at'], ['inputA', 'input_a'], ['inputB', 'input_b'],
  ['inputAKind', 'input_a_kind'], ['inputBKind', 'input_b_kind'], ['inputASha', 'input_a_sha256'], ['inputBSha', 'input_b_sha256'],
  ['metric', 'metric'], ['k', 'k'], ['prep', 'prep'], ['q', 'q'], ['layersMode', 'layers_mode'], ['rbfSigma', 'rbf_sigma'], ['n', 'n'],
  ['seed', 'seed'], ['bootstrap', 'bootstrap'], ['permutations', 'permutations'], ['ep', 'ep'], ['seconds', 'seconds'], ['score', 'score'],
  ['layerA', 'layer_a'], ['layerB', 'layer_b'], ['matrix', 'matrix'], ['ciLow', 'ci_low'], ['ciHigh', 'ci_high'], ['nullStats', 'null_stats'],
  ['chance', 'chance'], ['undefinedReason', 'undefined_reason'], ['calibrate', 'calibrate'], ['alpha', 'alpha'], ['calibration', 'calibration'],
] as const
type Checked = (typeof CHECKED)[number]

/**
 * SHA-256 of a row's values in CHECKED order. JSON gives the same text for a value as bound and as read
 * back (SQLite keeps doubles exactly; a NaN, stored as NULL, reads back as null, which JSON writes alike).
 */
function checksumOf(value: (c: Checked) => unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(CHECKED.map(value))).digest('hex')
}

function rowIsIntact(r: Row): boolean {
  return r.checksum !== null && r.checksum === checksumOf((c) => r[c[1]])
}

/** Stored results whose checksum does not hold (`cache verify`); rows from before checksums are not counted. */
export function damagedAlignments(ws: Workspace): { id: string; label: string }[] {
  const rows = ws.db.prepare('SELECT * FROM alignments WHERE checksum IS NOT NULL').all() as Row[]
  return rows.filter((r) => !rowIsIntact(r)).map((r) => ({ id: r.id, label: `${r.metric}, ${r.input_a} x ${r.input_b}` }))
}

export function deleteAlignments(ws: Workspace, ids: readonly string[]): void {
  const del = ws.db.prepare('DELETE FROM alignments WHERE id = ?')
  ws.tx(() => {
    for (const id of ids) del.run(id)
  })
}

interface Row {
  id: string
  run_id: string
  cache_key: string
  created_at: string
  input_a: string
  input_b: string
  input_a_kind: 'file' | 'feature_set'
  input_b_kind: 'file' | 'feature_set'
  input_a_sha256: string
  input_b_sha256: string
  metric: MetricName
  k: number
  prep: string
  q: number
  layers_mode: string
  rbf_sigma: number
  n: number
  seed: number
  bootstrap: number
  permutations: number
  ep: string
  seconds: number
  score: number
  layer_a: number | null
  layer_b: number | null
  matrix: string | null
  ci_low: number | null
  ci_high: number | null
  null_stats: string | null
  chance: number
  undefined_reason: string | null
  checksum: string | null
  calibrate: number
  alpha: number | null
  calibration: string | null
  p_adjusted: number | null
}

function fromRow(r: Row): AlignmentRecord {
  return {
    id: r.id,
    runId: r.run_id,
    cacheKey: r.cache_key,
    createdAt: r.created_at,
    inputA: { name: r.input_a, kind: r.input_a_kind, sha256: r.input_a_sha256 },
    inputB: { name: r.input_b, kind: r.input_b_kind, sha256: r.input_b_sha256 },
    metric: r.metric,
    k: r.k,
    prep: r.prep,
    q: r.q,
    layersMode: r.layers_mode,
    rbfSigma: r.rbf_sigma,
    n: r.n,
    seed: r.seed,
    bootstrap: r.bootstrap,
    permutations: r.permutations,
    ep: r.ep,
    seconds: r.seconds,
    chance: r.chance,
    calibrate: r.calibrate,
    alpha: r.alpha,
    pAdjusted: r.p_adjusted,
    result: {
      score: r.score,
      layers: r.layer_a === null || r.layer_b === null ? null : [r.layer_a, r.layer_b],
      matrix: r.matrix ? (JSON.parse(r.matrix) as number[][]) : null,
      ci95: r.ci_low === null || r.ci_high === null ? null : [r.ci_low, r.ci_high],
      undefined_reason: r.undefined_reason,
      permutation: r.null_stats ? (JSON.parse(r.null_stats) as PermutationStats) : null,
      calibration: r.calibration ? (JSON.parse(r.calibration) as CalibrationStats) : null,
    },
  }
}

export interface AlignmentFilter {
  metric?: MetricName
  /** Content hash (or feature-set id) of either input. */
  input?: string
  runId?: string
  limit?: number
}

/** A row to show: intact, or from before checksums (nothing to verify it against). */
function shown(r: Row): boolean {
  return r.checksum === null || rowIsIntact(r)
}

/** Stored rows, damaged ones included (the workspace summary). */
export function countAlignments(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM alignments').get() as { n: number }).n
}

/** Stored results, newest first; a result that fails its checksum is left out (reports, lists). */
export function listAlignments(ws: Workspace, filter: AlignmentFilter = {}): AlignmentRecord[] {
  const where: string[] = []
  const args: Record<string, unknown> = {}
  if (filter.metric) {
    where.push('metric = @metric')
    args.metric = filter.metric
  }
  if (filter.input) {
    where.push('(input_a_sha256 = @input OR input_b_sha256 = @input)')
    args.input = filter.input
  }
  if (filter.runId) {
    where.push('run_id = @runId')
    args.runId = filter.runId
  }
  args.limit = filter.limit ?? 1000
  const sql = `SELECT * FROM alignments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT @limit`
  return (ws.db.prepare(sql).all(args) as Row[]).filter(shown).map(fromRow)
}

export function getAlignment(ws: Workspace, id: string): AlignmentRecord | undefined {
  const row = ws.db.prepare('SELECT * FROM alignments WHERE id = ?').get(id) as Row | undefined
  return row && shown(row) ? fromRow(row) : undefined
}

/** The newest stored result for this cache key, if any. */
export function findCachedAlignment(ws: Workspace, cacheKey: string, onDamaged?: (message: string) => void): AlignmentRecord | undefined {
  const row = ws.db.prepare('SELECT * FROM alignments WHERE cache_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(cacheKey) as Row | undefined
  if (!row) return undefined
  if (rowIsIntact(row)) return fromRow(row)
  // A stored result is served only when its checksum holds; otherwise it is recomputed (a row from
  // before checksums silently, a damaged one said and removed, so no other view shows it either).
  if (row.checksum !== null) {
    deleteAlignments(ws, [row.id])
    onDamaged?.(`stored ${row.metric} result for ${row.input_a} x ${row.input_b} failed verification (checksum); recomputing it`)
  }
  return undefined
}

/**
 * Finds the stored score of input A (content hash) against input B under the matrix's parameters:
 * k counts only for the kNN metrics and q only for the clamping preparations; a calibrated row is
 * preferred, then the newest. The statement is prepared once for all the cells of a matrix. The cell
 * carries the calibration summary; the null values themselves come with the whole record.
 */
export function matrixCellLookup(ws: Workspace, o: { metric: string; prep: string; layersMode: string; k: number; q: number }): (aSha256: string, bSha256: string) => MatrixCell | undefined {
  const stmt = ws.db.prepare(
    `SELECT id, score, layer_a, layer_b, ci_low, ci_high, chance, n, k, undefined_reason, null_stats, calibration, p_adjusted FROM alignments
     WHERE input_a_sha256 = ? AND input_b_sha256 = ? AND metric = ? AND prep = ? AND layers_mode = ?
       AND (k = ? OR metric IN ('cka', 'cka_rbf', 'unbiased_cka', 'svcca', 'rsa', 'procrustes')) AND (q = ? OR prep IN ('none', 'l2'))
     ORDER BY calibration IS NOT NULL DESC, created_at DESC LIMIT 1`,
  )
  return (a, b) => {
    const r = stmt.get(a, b, o.metric, o.prep, o.layersMode, o.k, o.q) as Row | undefined
    if (!r) return undefined
    return {
      recordId: r.id,
      score: r.score,
      layers: r.layer_a === null || r.layer_b === null ? null : [r.layer_a, r.layer_b],
      ci95: r.ci_low === null || r.ci_high === null ? null : [r.ci_low, r.ci_high],
      chance: r.chance,
      n: r.n,
      k: r.k,
      undefined_reason: r.undefined_reason,
      permutation: r.null_stats ? (JSON.parse(r.null_stats) as PermutationStats) : null,
      calibration: r.calibration ? withoutNullValues(JSON.parse(r.calibration) as CalibrationStats) : null,
      pAdjusted: r.p_adjusted,
    }
  }
}

function withoutNullValues(c: CalibrationStats): CalibrationSummary {
  const { null_values: _drop, ...rest } = c
  return rest
}

/**
 * Benjamini–Hochberg across the pairs of one sweep, per metric: each pair's stored calibration p-value
 * is adjusted against the other pairs of the same metric and parameters, and the adjusted value is
 * stored with its record (`p_adjusted`; a later sweep over other pairs overwrites it). Returns per
 * metric how many pairs were adjusted and how many stay significant at the sweep's α.
 */
export function adjustCalibratedP(ws: Workspace, metrics: readonly MetricName[], pairs: readonly (readonly [InputRef, InputRef])[], o: ResolvedOptions): Record<string, { pairs: number; significant: number }> {
  const out: Record<string, { pairs: number; significant: number }> = {}
  const stmt = ws.db.prepare('UPDATE alignments SET p_adjusted = ? WHERE id = ?')
  for (const m of metrics) {
    const recs: AlignmentRecord[] = []
    for (const [a, b] of pairs) {
      const r = findCachedAlignment(ws, alignmentCacheKey(a, b, m, o))
      if (r?.result.calibration) recs.push(r)
    }
    const adj = benjaminiHochberg(recs.map((r) => r.result.calibration!.p_value))
    ws.tx(() => recs.forEach((r, t) => stmt.run(adj[t]!, r.id)))
    out[m] = { pairs: recs.length, significant: adj.filter((p) => p <= o.alpha).length }
  }
  return out
}
