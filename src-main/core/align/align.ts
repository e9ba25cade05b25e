import { itemWidth, layerDim, type Mat, type Tensor3 } from '../../common/matrix'
import { badInput } from '../../common/errors'
import type { KernelBackend } from './backend'
import { createReferenceBackend } from './referenceBackend'
import { FullLayer, type LayerView } from './layerView'
import { asTensor3, prepare, PREPS, type Prep } from './prep'
import { isMetricName, METRIC_NAMES, MIN_N, USES_K, type MetricName } from './metrics'
import { bestPosition, layerSearch, type Candidate } from './layerSearch'
import { bootstrapIntervals, chanceMutualKnn, permutationNull, type PairJob, type PermutationStats } from './baselines'

export type LayersMode = 'max' | 'max+concat'
export const LAYERS_MODES: readonly LayersMode[] = ['max', 'max+concat']

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
  backend?: KernelBackend
  /** Names of the inputs for error messages (file paths or feature-set ids). */
  nameA?: string
  nameB?: string
  signal?: AbortSignal
  onProgress?: (fraction: number, message: string) => void
}

export interface MetricResult {
  score: number
  /** [i, j] into A's and B's layers (−1 = concatenation) for 3-D inputs, else null. */
  layers: [number, number] | null
  /** Full table for 3-D inputs ((L_A+1) x (L_B+1) under max+concat, row/column 0 = −1). */
  matrix: number[][] | null
  ci95: [number, number] | null
  /** Added key: why `score` is a placeholder 0 (constant layer, no pair above 0, ...), else null. */
  undefined_reason: string | null
  /** Added key: permutation-null statistics when permutations > 0, else null. */
  permutation: PermutationStats | null
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
}

export function resolveMetrics(list: readonly string[] | 'all' | undefined): MetricName[] {
  if (list === undefined) return ['mutual_knn']
  if (list === 'all' || (list.length === 1 && list[0] === 'all')) return [...METRIC_NAMES]
  const out: MetricName[] = []
  for (const raw of list) {
    const m = raw.trim()
    if (m === '') continue
    if (!isMetricName(m)) throw badInput('--metrics', `unknown metric "${m}"; choose from ${METRIC_NAMES.join(', ')} or all`)
    if (!out.includes(m)) out.push(m)
  }
  if (out.length === 0) throw badInput('--metrics', 'no metric given')
  return out
}

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
  }
  if (!PREPS.includes(r.prep)) throw badInput('--prep', `unknown preparation "${r.prep}"; choose from ${PREPS.join(', ')}`)
  if (!LAYERS_MODES.includes(r.layers)) throw badInput('--layers', `unknown layer mode "${r.layers}"; choose max or max+concat`)
  if (!Number.isInteger(r.k) || r.k < 1) throw badInput('--k', `must be a whole number >= 1, got ${r.k}`)
  if (!(r.q > 0 && r.q <= 1)) throw badInput('--q', `must be in (0, 1], got ${r.q}`)
  if (!(r.rbfSigma > 0 && Number.isFinite(r.rbfSigma))) throw badInput('--rbf-sigma', `must be a positive number, got ${r.rbfSigma}`)
  if (!Number.isInteger(r.bootstrap) || r.bootstrap < 0) throw badInput('--bootstrap', `must be a whole number >= 0, got ${r.bootstrap}`)
  if (!Number.isInteger(r.permutations) || r.permutations < 0) throw badInput('--permutations', `must be a whole number >= 0, got ${r.permutations}`)
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) throw badInput('--seed', `must be a whole number in 0..4294967295, got ${r.seed}`)
  if (r.metrics.includes('cknna') && r.k < 2) throw badInput('--k', 'cknna needs k >= 2')
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
  if (r.metrics.some((m) => USES_K.has(m)) && r.k >= n) throw badInput('--k', `k=${r.k} must be less than the number of items N=${n}`)
  for (const m of r.metrics) {
    const min = MIN_N[m]
    if (min !== undefined && n < min) throw badInput(nameA, `${m} needs at least ${min} items, got ${n}`)
  }
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
    const p = prepare(t, r.prep, r.q, withConcat)
    const out: Candidate[] = []
    if (p.concat) out.push({ index: -1, view: new FullLayer(p.concat, `${name} concatenated layers`, backend) })
    p.layers.forEach((m, l) => out.push({ index: l, view: new FullLayer(m, t.layers > 1 ? `${name} layer ${l}` : name, backend) }))
    return out
  }
  const candA = candidates(A, nameA)
  const candB = candidates(B, nameB)

  const extra = r.bootstrap + r.permutations
  const searchShare = extra > 0 ? 0.7 : 1
  const grids = await layerSearch(candA, candB, r.metrics, ctx, {
    signal: opts.signal,
    onProgress: (f, msg) => progress(f * searchShare, msg),
  })

  const metrics: Record<string, MetricResult> = {}
  const chosen: { m: MetricName; a: LayerView; b: LayerView; score: number }[] = []
  for (const m of r.metrics) {
    const g = grids[m]!
    if (!layered) {
      const score = g.matrix[0]![0]!
      metrics[m] = { score, layers: null, matrix: null, ci95: null, undefined_reason: g.reasons[0]![0]!, permutation: null }
      if (g.reasons[0]![0] === null) chosen.push({ m, a: candA[0]!.view, b: candB[0]!.view, score })
      continue
    }
    const best = bestPosition(g.matrix)
    if (best) {
      metrics[m] = { score: best.score, layers: [candA[best.i]!.index, candB[best.j]!.index], matrix: g.matrix, ci95: null, undefined_reason: null, permutation: null }
      chosen.push({ m, a: candA[best.i]!.view, b: candB[best.j]!.view, score: best.score })
    } else {
      const undefinedCells = g.reasons.flat().filter((x) => x !== null).length
      const reason = `no layer pair scored above 0${undefinedCells ? ` (${undefinedCells} pairs undefined, e.g. ${g.reasons.flat().find((x) => x !== null)})` : ''}`
      metrics[m] = { score: 0, layers: null, matrix: g.matrix, ci95: null, undefined_reason: reason, permutation: null }
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
