import fs from 'node:fs'
import type { Command, CliContext, CommandResult } from '../command'
import { badInput } from '../../common/errors'
import type { Mat, Tensor3 } from '../../common/matrix'
import type { Workspace } from '../../core/store/workspace'
import { fileSha256 } from '../../core/store/fileHash'
import { readFeatures, readNpyHeader } from '../../core/data/npy'
import { align, resolveOptions, type AlignOptions, type AlignResult, type LayersMode, type MetricResult } from '../../core/align/align'
import { chooseBackend, type BackendChoice } from '../../core/align/chooseBackend'
import { alignmentCacheKey, findCachedAlignment, recordsOf, saveAlignment, type InputRef } from '../../core/align/resultsStore'
import type { Prep } from '../../core/align/prep'
import type { MetricName } from '../../core/align/metrics'
import { readPermutationFile } from '../../core/align/permutations'

/** Resolves a workspace feature-set id to its [N, L, D] features; set by the app entry. */
export type FeatureSetResolver = (ws: Workspace, id: string) => Promise<Tensor3>
let featureSetResolver: FeatureSetResolver | null = null

/** Hook for the lead: lets `align` accept feature-set ids besides .npy paths. */
export function setFeatureSetResolver(fn: FeatureSetResolver | null): void {
  featureSetResolver = fn
}

async function loadInput(ws: Workspace, arg: string): Promise<{ x: Mat | Tensor3; ref: InputRef }> {
  if (fs.existsSync(arg) && fs.statSync(arg).isFile()) {
    const x = readFeatures(arg)
    return { x, ref: { name: arg, kind: 'file', sha256: fileSha256(ws, arg).sha256 } }
  }
  if (featureSetResolver) return { x: await featureSetResolver(ws, arg), ref: { name: arg, kind: 'feature_set', sha256: arg } }
  throw badInput(arg, 'no such file or feature set')
}

/**
 * Both inputs' headers (and sizes), and N of B against A, checked before any data is read: a mismatch
 * was found only after reading gigabytes. Feature-set ids (no such path) are checked when resolved.
 */
function checkHeaders(argA: string, argB: string): void {
  // An existing path that is not a regular file (a FIFO, a folder) is refused here, never opened for data.
  const a = fs.existsSync(argA) ? readNpyHeader(argA) : null
  const b = fs.existsSync(argB) ? readNpyHeader(argB) : null
  if (a && b && a.shape.length >= 2 && b.shape.length >= 2 && a.shape[0] !== b.shape[0]) {
    throw badInput(argB, `has ${b.shape[0]} items but ${argA} has ${a.shape[0]}; row i of both must describe the same item`)
  }
}

function flagString(ctx: CliContext, name: string): string | undefined {
  const v = ctx.args.flags[name]
  if (v === undefined) return undefined
  if (v === true) throw badInput(`--${name}`, 'needs a value')
  return v
}

function flagNumber(ctx: CliContext, name: string, integer: boolean): number | undefined {
  const s = flagString(ctx, name)
  if (s === undefined) return undefined
  const x = Number(s)
  if (s.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x))) throw badInput(`--${name}`, `expected ${integer ? 'a whole number' : 'a number'}, got "${s}"`)
  return x
}

export const command: Command = {
  name: 'align',
  summary: 'alignment between two feature sets (mutual kNN, CKA, CKNNA, SVCCA, ...)',
  usage:
    'align A B [--metrics LIST|all] [--k 10] [--prep none|l2|clamp-exact|clamp-approx] [--q 0.95] [--layers max|max+concat] ' +
    '[--rbf-sigma 1.0] [--bootstrap 0] [--permutations 0] [--calibrate K] [--alpha 0.05] [--permutation-file P.npy] [--seed 0] ' +
    '[--backend auto|reference|onnx] [--recompute]',
  flags: ['metrics', 'k', 'prep', 'q', 'layers', 'rbf-sigma', 'bootstrap', 'permutations', 'calibrate', 'alpha', 'permutation-file', 'seed', 'backend'],
  booleanFlags: ['recompute'],
  async run(ctx) {
    const [argA, argB, ...rest] = ctx.args.positional
    if (!argA || !argB) throw badInput('align', 'needs two inputs: align A B (.npy files or feature-set ids)')
    if (rest.length) throw badInput('align', `unexpected extra argument "${rest[0]}"`)
    const metricsFlag = flagString(ctx, 'metrics')
    const opts: AlignOptions = {
      metrics: metricsFlag === undefined ? undefined : metricsFlag.split(','),
      k: flagNumber(ctx, 'k', true),
      prep: flagString(ctx, 'prep') as Prep | undefined,
      q: flagNumber(ctx, 'q', false),
      layers: flagString(ctx, 'layers') as LayersMode | undefined,
      rbfSigma: flagNumber(ctx, 'rbf-sigma', false),
      bootstrap: flagNumber(ctx, 'bootstrap', true),
      permutations: flagNumber(ctx, 'permutations', true),
      seed: flagNumber(ctx, 'seed', true),
      calibrate: flagNumber(ctx, 'calibrate', true),
      alpha: flagNumber(ctx, 'alpha', false),
      nameA: argA,
      nameB: argB,
      signal: ctx.signal,
      onProgress: (f, m) => ctx.progress(f, m),
    }
    resolveOptions(opts) // flag errors before any file is read
    const ws = ctx.workspace()
    checkHeaders(argA, argB)
    const A = await loadInput(ws, argA)
    const B = await loadInput(ws, argB)
    const permFile = flagString(ctx, 'permutation-file')
    if (permFile !== undefined) {
      opts.permutationSet = readPermutationFile(permFile, 'rows' in A.x ? A.x.rows : A.x.n)
      opts.permutationSetSha = fileSha256(ws, permFile).sha256
    }
    const resolved = resolveOptions(opts)

    const recompute = ctx.args.flags['recompute'] === true
    const cached = new Map<MetricName, { result: MetricResult; seconds: number; ep: string; n: number }>()
    if (!recompute) {
      for (const m of resolved.metrics) {
        const hit = findCachedAlignment(ws, alignmentCacheKey(A.ref, B.ref, m, resolved), (msg) => ctx.log(msg))
        if (hit) cached.set(m, { result: hit.result, seconds: hit.seconds, ep: hit.ep, n: hit.n })
      }
    }
    const missing = resolved.metrics.filter((m) => !cached.has(m))
    let fresh: AlignResult | null = null
    if (missing.length) {
      const { backend, note } = await chooseBackend((flagString(ctx, 'backend') ?? 'auto') as BackendChoice)
      if (note) ctx.log(note)
      try {
        fresh = await align(A.x, B.x, { ...opts, metrics: missing, backend })
      } finally {
        await backend.dispose?.()
      }
      saveAlignment(ws, recordsOf(fresh, A.ref, B.ref, { ...resolved, metrics: missing }))
    }
    const firstHit = cached.values().next().value
    const n = fresh?.n ?? firstHit!.n
    const metrics: Record<string, MetricResult> = {}
    for (const m of resolved.metrics) metrics[m] = fresh?.metrics[m] ?? cached.get(m)!.result
    const json = {
      n,
      k: resolved.k,
      prep: resolved.prep,
      layers_mode: resolved.layers,
      chance: { mutual_knn: resolved.k / (n - 1) },
      metrics,
      seconds: fresh ? fresh.seconds : Math.max(...[...cached.values()].map((c) => c.seconds)),
      ep: fresh ? fresh.ep : firstHit!.ep,
      q: resolved.q,
      rbf_sigma: resolved.rbfSigma,
      seed: resolved.seed,
      bootstrap: resolved.bootstrap,
      permutations: resolved.permutations,
      calibrate: resolved.calibrate,
      alpha: resolved.alpha,
      cached: missing.length === 0,
      inputs: { a: A.ref, b: B.ref },
    }
    return { json, text: renderText(json, argA, argB) } satisfies CommandResult
  },
}

function fmt(x: number): string {
  return x.toFixed(4)
}

export function renderText(r: { n: number; k: number; prep: string; layers_mode: string; chance: { mutual_knn: number }; metrics: Record<string, MetricResult>; seconds: number; ep: string; cached: boolean }, a: string, b: string): string {
  const calibrated = Object.values(r.metrics).some((v) => v.calibration)
  const rows: string[][] = [['metric', 'score', 'layers (A, B)', 'ci95', 'null mean', 'p', ...(calibrated ? ['calibrated', 'threshold', 'p (cal)'] : []), 'note']]
  const notes = new Set<string>()
  for (const [m, v] of Object.entries(r.metrics)) {
    const c = v.calibration
    if (c?.note) notes.add(c.note)
    rows.push([
      m,
      fmt(v.score),
      v.layers ? `${v.layers[0]}, ${v.layers[1]}` : '-',
      v.ci95 ? `[${fmt(v.ci95[0])}, ${fmt(v.ci95[1])}]` : '-',
      v.permutation ? fmt(v.permutation.mean) : '-',
      v.permutation ? v.permutation.p_value.toPrecision(3) : '-',
      ...(calibrated ? (c ? [fmt(c.score) + (c.note ? ' *' : ''), fmt(c.threshold), c.p_value.toPrecision(3)] : ['-', '-', '-']) : []),
      v.undefined_reason ?? '',
    ])
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  const head = `align ${a} ${b}: N=${r.n} k=${r.k} prep=${r.prep} layers=${r.layers_mode} ep=${r.ep} ${r.seconds.toFixed(2)} s${r.cached ? ' (cached)' : ''}`
  const tail = `chance level of mutual_knn: ${r.chance.mutual_knn.toPrecision(3)} (k/(N-1)); layer -1 = all layers concatenated; full matrices with --json`
  const calNote = calibrated ? [`calibrated = max((score - threshold) / (1 - threshold), 0) against the permutation null of the whole layer search${[...notes].map((n) => `\n* ${n}`).join('')}`] : []
  return [head, '', ...lines, '', tail, ...calNote].join('\n')
}
