import { itemWidth, layerDim, type Mat, type Tensor3 } from '../../common/matrix'
import { badArg, badInput } from '../../common/errors'
import { LAYERS_MODES, type LayersMode, type MetricResult } from '../../common/contract/align'
import type { KernelBackend } from './backend'
import { createReferenceBackend } from './referenceBackend'
import { FullLayer, type LayerView } from './layerView'
import { asTensor3, maxAbs, prepare, PREPS, type Prep } from './prep'
import { isMetricName, METRIC_NAMES, MIN_N, USES_K, type MetricName } from './metrics'
import { bestPosition, layerSearch, type Candidate } from './layerSearch'
import { bootstrapIntervals, chanceMutualKnn, permutationNull, type PairJob } from './baselines'
import { aggregateTable, calibrationStats } from './calibration'
import { layerSearchNull } from './layerSearchNull'
import { checkPermutations, drawPermutations } from './permutations'

export { LAYERS_MODES, type LayersMode, type MetricResult } from '../../common/contract/align'

export interface AlignOptions {
  /** Metric names or 'all'. Default ['mutual_knn']. */
  metrics?: readonly string[] | 'all'
  k?: number
  prep?: Prep
  q?: number
  layers?: LayersMode
  rbfSigma?: number
  /** Bootstrap resamples for ci95 (0 = none). */
  bootstrap?: number
  /** Permutations for the null distribution (0 = none). */
  permutations?: number
  seed?: number
  /** Permutations K of the aggregation-aware calibration null (0 = none). */
  calibrate?: number
  /** Level α of the calibration threshold. Default 0.05. */
  alpha?: number
  /** Explicit calibration permutations (row k: B'[i] = B[P[k][i]]); override `calibrate` and `seed`. */
  permutationSet?: Int32Array[]
  /** Content hash of the permutation file, for cache keys (set with `permutationSet`). */
  permutationSetSha?: string
  backend?: KernelBackend
  /** Names of the inputs for error messages (file paths or feature-set ids). */
  nameA?: string
  nameB?: string
  signal?: AbortSignal
  onProgress?: (fraction: number, message: string) => void
}

/** The `align --json` document of CLI.md, plus the added keys q, rbf_sigma, seed, bootstrap, permutations. */
export interface AlignResult {
  n: number
  k: number
  prep: Prep
  layers_mode: LayersMode
  chance: { mutual_knn: number }
  metrics: Record<string, MetricResult>
  seconds: number
  ep: string
  q: number
  rbf_sigma: number
  seed: number
  bootstrap: number
  permutations: number
  /** Added keys: calibration permutations K (0 = none) and its level α. */
  calibrate: number
  alpha: number
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  metrics: MetricName[]
  k: number
  prep: Prep
  q: number
  layers: LayersMode
  rbfSigma: number
  bootstrap: number
  permutations: number
  seed: number
  calibrate: number
  alpha: number
  /** Hash of the permutation file that fixes the calibration permutations, or null (drawn from the seed). */
  permutationSetSha: string | null
}

export function resolveMetrics(list: readonly string[] | 'all' | undefined): MetricName[] {
  if (list === undefined) return ['mutual_knn']
  if (list === 'all' || (list.length === 1 && list[0] === 'all')) return [...METRIC_NAMES]
  const out: MetricName[] = []
  for (const raw of list) {
    const m = raw.trim()
    if (m === '') continue
    if (!isMetricName(m)) throw badArg('metrics', `unknown metric "${m}"; choose from ${METRIC_NAMES.join(', ')} or all`)
    if (!out.includes(m)) out.push(m)
  }
  if (out.length === 0) throw badArg('metrics', 'no metric given')
  return out
}

/** Most bootstrap resamples or permutations one request may ask for (as the API's job parameters). */
export const MAX_RESAMPLES = 10_000

/** Defaults of CLI.md and range checks that do not depend on the data. */
export function resolveOptions(o: AlignOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    metrics: resolveMetrics(o.metrics),
    k: o.k ?? 10,
    prep: o.prep ?? 'clamp-exact',
    q: o.q ?? 0.95,
    layers: o.layers ?? 'max',
    rbfSigma: o.rbfSigma ?? 1.0,
    bootstrap: o.bootstrap ?? 0,
    permutations: o.permutations ?? 0,
    seed: o.seed ?? 0,
    calibrate: o.permutationSet ? o.permutationSet.length : (o.calibrate ?? 0),
    alpha: o.alpha ?? 0.05,
    permutationSetSha: o.permutationSet ? (o.permutationSetSha ?? null) : null,
  }
  if (!PREPS.includes(r.prep)) throw badArg('prep', `unknown preparation "${r.prep}"; choose from ${PREPS.join(', ')}`)
  if (!LAYERS_MODES.includes(r.layers)) throw badArg('layers', `unknown layer mode "${r.layers}"; choose max or max+concat`)
  if (!Number.isInteger(r.k) || r.k < 1) throw badArg('k', `must be a whole number >= 1, got ${r.k}`)
  if (!(r.q > 0 && r.q <= 1)) throw badArg('q', `must be in (0, 1], got ${r.q}`)
  if (!(r.rbfSigma > 0 && Number.isFinite(r.rbfSigma))) throw badArg('rbfSigma', `must be a positive number, got ${r.rbfSigma}`)
  if (!Number.isInteger(r.bootstrap) || r.bootstrap < 0 || r.bootstrap > MAX_RESAMPLES) throw badArg('bootstrap', `must be a whole number in 0..${MAX_RESAMPLES}, got ${r.bootstrap}`)
  if (!Number.isInteger(r.permutations) || r.permutations < 0 || r.permutations > MAX_RESAMPLES) throw badArg('permutations', `must be a whole number in 0..${MAX_RESAMPLES}, got ${r.permutations}`)
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) throw badArg('seed', `must be a whole number in 0..4294967295, got ${r.seed}`)
  if (!Number.isInteger(r.calibrate) || r.calibrate < 0 || r.calibrate > MAX_RESAMPLES) throw badArg('calibrate', `must be a whole number in 0..${MAX_RESAMPLES}, got ${r.calibrate}`)
  if (!(r.alpha > 0 && r.alpha < 1)) throw badArg('alpha', `must be in (0, 1), got ${r.alpha}`)
  if (r.metrics.includes('cknna') && r.k < 2) throw badArg('k', 'cknna needs k >= 2')
  return r
}

/** Data checks: same N, finite values, enough items for k and the unbiased estimators, not all constant. */
export function validateInputs(A: Tensor3, B: Tensor3, r: ResolvedOptions, nameA: string, nameB: string): void {
  if (A.n !== B.n) throw badInput(nameB, `has ${B.n} items but ${nameA} has ${A.n}; row i of both must describe the same item`)
  const n = A.n
  for (const [t, name] of [[A, nameA], [B, nameB]] as const) {
    checkFinite(t, name)
    if (n < 2) throw badInput(name, `needs at least 2 items, got ${n}`)
    if (allItemsIdentical(t)) throw badInput(name, 'every item has identical features (constant input); alignment is undefined')
  }
  if (r.prep === 'none') for (const [t, name] of [[A, nameA], [B, nameB]] as const) checkUnpreparedScale(t, name, r.metrics)
  if (r.metrics.some((m) => USES_K.has(m)) && r.k >= n) throw badArg('k', `k=${r.k} must be less than the number of items N=${n}`)
  for (const m of r.metrics) {
    const min = MIN_N[m]
    if (min !== undefined && n < min) throw badInput(nameA, `${m} needs at least ${min} items, got ${n}`)
  }
}

/**
 * Metrics that read only neighbour rankings, which multiplying an input by a positive power of two
 * leaves exactly as they are: with `--prep none` they run on the input scaled into [1, 2).
 */
const RANK_ONLY: ReadonlySet<MetricName> = new Set(['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn'])
/** With `--prep none`, the largest |x| the scale-dependent metrics accept (and its inverse the smallest). */
export const UNPREPARED_MAX_ABS = 2 ** 30

/**
 * Under `--prep none` the kernel metrics (CKA's absolute 1e−6, the RBF's sigma, SVCCA's 1e−8) depend
 * on the scale of the features, and the float32 kernels under- or overflow far from unit scale, so an
 * input outside [2^−30, 2^30] would give a plausible but wrong number: refused with the way out.
 */
function checkUnpreparedScale(t: Tensor3, name: string, metrics: readonly MetricName[]): void {
  const scaleDependent = metrics.filter((m) => !RANK_ONLY.has(m))
  if (scaleDependent.length === 0) return
  const m = maxAbs(t.data)
  if (m === 0 || (m <= UNPREPARED_MAX_ABS && m >= 1 / UNPREPARED_MAX_ABS)) return
  throw badInput(
    name,
    `its largest |value| is ${m.toExponential(3)}, outside [2^-30, 2^30]: with prep none, ${scaleDependent.join(', ')} depend on the features' scale and cannot be computed reliably there; ` +
      'choose prep l2 or clamp-exact (scale-invariant), or rescale the features',
  )
}

function checkFinite(t: Tensor3, name: string): void {
  const d = t.data
  for (let x = 0; x < d.length; x++) {
    if (!Number.isFinite(d[x]!)) {
      const item = Math.floor(x / itemWidth(t))
      let layer = 0
      let col = x % itemWidth(t)
      while (col >= layerDim(t, layer)) col -= layerDim(t, layer++)
      const what = Number.isNaN(d[x]!) ? 'NaN' : 'Inf'
      throw badInput(name, t.layers > 1 ? `${what} at item ${item}, layer ${layer}, dim ${col}` : `${what} at item ${item}, dim ${col}`)
    }
  }
}

function allItemsIdentical(t: Tensor3): boolean {
  const per = itemWidth(t)
  for (let i = 1; i < t.n; i++) for (let c = 0; c < per; c++) if (t.data[i * per + c] !== t.data[c]) return false
  return true
}

/**
 * Alignment of two feature sets on the same N items: preparation, the L_A x L_B layer search for
 * 3-D inputs (a 2-D input counts as one layer; the result has a matrix when either input is 3-D),
 * best pair per metric, and the optional permutation null and bootstrap intervals at that pair.
 * `seconds` covers everything here (not reading the files).
 */
export async function align(Ain: Mat | Tensor3, Bin: Mat | Tensor3, opts: AlignOptions = {}): Promise<AlignResult> {
  const t0 = performance.now()
  const nameA = opts.nameA ?? 'A'
  const nameB = opts.nameB ?? 'B'
  const r = resolveOptions(opts)
  const A = asTensor3(Ain)
  const B = asTensor3(Bin)
  validateInputs(A, B, r, nameA, nameB)
  const layered = !('rows' in Ain) || !('rows' in Bin)
  const backend = opts.backend ?? createReferenceBackend()
  const ctx = { k: r.k, rbfSigma: r.rbfSigma, backend, signal: opts.signal }
  const progress = opts.onProgress ?? (() => {})

  const withConcat = layered && r.layers === 'max+concat'
  const candidates = (t: Tensor3, name: string): Candidate[] => {
    // Rank-only metrics are scale-free even without normalisation, so they may always run rescaled.
    const p = prepare(t, r.prep, r.q, withConcat, r.prep !== 'none' || r.metrics.every((m) => RANK_ONLY.has(m)))
    const out: Candidate[] = []
    if (p.concat) out.push({ index: -1, view: new FullLayer(p.concat, `${name} concatenated layers`, backend) })
    p.layers.forEach((m, l) => out.push({ index: l, view: new FullLayer(m, t.layers > 1 ? `${name} layer ${l}` : name, backend) }))
    return out
  }
  const candA = candidates(A, nameA)
  const candB = candidates(B, nameB)

  const extra = r.bootstrap + r.permutations + r.calibrate
  const searchShare = extra > 0 ? 0.5 : 1
  const grids = await layerSearch(candA, candB, r.metrics, ctx, {
    signal: opts.signal,
    // the calibration null reads A's per-layer statistics again
    keepA: r.calibrate > 0,
    onProgress: (f, msg) => progress(f * searchShare, msg),
  })

  const metrics: Record<string, MetricResult> = {}
  const empty = { ci95: null, permutation: null, calibration: null }
  const chosen: { m: MetricName; a: LayerView; b: LayerView; score: number }[] = []
  for (const m of r.metrics) {
    const g = grids[m]!
    if (!layered) {
      const score = g.matrix[0]![0]!
      metrics[m] = { ...empty, score, layers: null, matrix: null, undefined_reason: g.reasons[0]![0]! }
      if (g.reasons[0]![0] === null) chosen.push({ m, a: candA[0]!.view, b: candB[0]!.view, score })
      continue
    }
    const best = bestPosition(g.matrix)
    if (best) {
      metrics[m] = { ...empty, score: best.score, layers: [candA[best.i]!.index, candB[best.j]!.index], matrix: g.matrix, undefined_reason: null }
      chosen.push({ m, a: candA[best.i]!.view, b: candB[best.j]!.view, score: best.score })
    } else {
      const undefinedCells = g.reasons.flat().filter((x) => x !== null).length
      const reason = `no layer pair scored above 0${undefinedCells ? ` (${undefinedCells} pairs undefined, e.g. ${g.reasons.flat().find((x) => x !== null)})` : ''}`
      metrics[m] = { ...empty, score: 0, layers: null, matrix: g.matrix, undefined_reason: reason }
    }
  }

  const jobs = groupByPair(chosen)
  if (r.permutations > 0 && jobs.length) {
    const stats = await permutationNull(jobs, r.permutations, r.seed, ctx, (d) => progress(searchShare + ((1 - searchShare) * d) / extra, `permutation ${d}/${r.permutations}`))
    for (const [m, s] of Object.entries(stats)) metrics[m]!.permutation = s
  }
  if (r.bootstrap > 0 && jobs.length) {
    const ci = await bootstrapIntervals(jobs, r.bootstrap, r.seed, ctx, (d) => progress(searchShare + ((1 - searchShare) * (r.permutations + d)) / extra, `bootstrap ${d}/${r.bootstrap}`))
    for (const [m, c] of Object.entries(ci)) metrics[m]!.ci95 = c
  }
  if (r.calibrate > 0) {
    const perms = opts.permutationSet ?? drawPermutations(r.calibrate, A.n, r.seed)
    checkPermutations(perms, A.n, (problem) => badArg('permutationSet', problem))
    const before = r.permutations + r.bootstrap
    progress(searchShare + ((1 - searchShare) * before) / extra, `calibration: per-layer statistics for ${perms.length} permutations`)
    const nulls = await layerSearchNull(candA, candB, r.metrics, perms, layered, ctx, (d) => progress(searchShare + ((1 - searchShare) * (before + d)) / extra, `calibration ${d}/${perms.length}`))
    const aggregate = layered ? r.layers : 'single'
    for (const m of r.metrics) metrics[m]!.calibration = calibrationStats(aggregateTable(grids[m]!.matrix, layered), nulls[m]!, r.alpha, aggregate)
  }
  progress(1, 'done')

  return {
    n: A.n,
    k: r.k,
    prep: r.prep,
    layers_mode: r.layers,
    chance: { mutual_knn: chanceMutualKnn(r.k, A.n) },
    metrics,
    seconds: (performance.now() - t0) / 1000,
    ep: backend.ep,
    q: r.q,
    rbf_sigma: r.rbfSigma,
    seed: r.seed,
    bootstrap: r.bootstrap,
    permutations: r.permutations,
    calibrate: r.calibrate,
    alpha: r.alpha,
  }
}

function groupByPair(chosen: { m: MetricName; a: LayerView; b: LayerView; score: number }[]): PairJob[] {
  const jobs: PairJob[] = []
  for (const c of chosen) {
    let job = jobs.find((j) => j.a === c.a && j.b === c.b)
    if (!job) {
      job = { a: c.a, b: c.b, metrics: [], observed: {} }
      jobs.push(job)
    }
    job.metrics.push(c.m)
    job.observed[c.m] = c.score
  }
  return jobs
}
