import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import { mulberry32, subSeed, type Rng } from '../../common/random'

export type SampleMode = 'all' | 'random' | 'stratified'
export const SAMPLE_MODES: readonly SampleMode[] = ['all', 'random', 'stratified']

export interface SampleOptions {
  mode: SampleMode
  /** Items wanted; ignored for 'all'; a size ≥ n means every item. */
  size?: number
  /** Seed of the draw; stored with the map so the same items come back. */
  seed: number
  /** One label per item (length n), required for 'stratified': the class, cluster or attribute value. */
  strata?: readonly string[]
}

/**
 * Which items a map uses, so that the UI can say "N used of N available" and never silently shows
 * the first N. Returns item indices in ascending order (an Int32Array).
 *
 * - 'all': 0..n−1.
 * - 'random': a uniform sample without replacement of `size` items (partial Fisher–Yates driven by
 *   mulberry32 seeded with subSeed(seed, 'map-sample')).
 * - 'stratified': each stratum s with c_s items gets a quota by the largest-remainder (Hamilton)
 *   method: ⌊size·c_s/n⌋, then the size − Σ⌊·⌋ leftover places go to the strata with the largest
 *   fractional parts size·c_s/n − ⌊size·c_s/n⌋ (ties: larger stratum first, then label order). A quota never
 *   exceeds c_s. Within each stratum the items are a uniform sample as in 'random'.
 */
export function sampleIndices(n: number, opts: SampleOptions, where = 'sample'): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw badInput(where, `item count must be a non-negative integer, got ${n}`)
  if (!SAMPLE_MODES.includes(opts.mode)) throw badInput(where, `unknown sampling mode "${String(opts.mode)}"; choose all, random or stratified`)
  if (!Number.isFinite(opts.seed)) throw badInput(where, `seed must be a finite number, got ${opts.seed}`)
  if (opts.mode === 'all') return range(n)
  const size = opts.size
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw badInput(where, `sample size must be a positive integer, got ${size === undefined ? 'none' : size}`)
  }
  if (opts.mode === 'stratified') {
    if (!opts.strata) throw badInput(where, 'stratified sampling needs one label per item (strata)')
    if (opts.strata.length !== n) throw badInput(where, `strata has ${opts.strata.length} labels for ${n} items`)
  }
  if (size >= n) return range(n)
  const rng = mulberry32(subSeed(opts.seed, 'map-sample'))
  const picked = opts.mode === 'random' ? pickRandom(range(n), size, rng) : pickStratified(opts.strata!, size, rng)
  return picked.sort()
}

/** Quotas by the largest-remainder method; `counts` in the order of `labels`. Exported for tests and UI previews. */
export function largestRemainderQuotas(counts: readonly number[], size: number, labels?: readonly string[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0)
  if (total === 0) return counts.map(() => 0)
  const exact = counts.map((c) => (size * c) / total)
  const quotas = exact.map(Math.floor)
  let left = size - quotas.reduce((a, b) => a + b, 0)
  const order = counts
    .map((_, s) => s)
    .sort((a, b) => exact[b]! - quotas[b]! - (exact[a]! - quotas[a]!) || counts[b]! - counts[a]! || cmp(labels?.[a] ?? '', labels?.[b] ?? '') || a - b)
  for (const s of order) {
    if (left === 0) break
    if (quotas[s]! < counts[s]!) {
      quotas[s]!++
      left--
    }
  }
  return quotas
}

function pickStratified(strata: readonly string[], size: number, rng: Rng): Int32Array {
  const groups = new Map<string, number[]>()
  strata.forEach((label, i) => {
    const g = groups.get(label)
    if (g) g.push(i)
    else groups.set(label, [i])
  })
  // Sorted labels make the draw independent of item order within the same set of labels.
  const labels = [...groups.keys()].sort(cmp)
  const quotas = largestRemainderQuotas(labels.map((l) => groups.get(l)!.length), size, labels)
  const out = new Int32Array(size)
  let at = 0
  labels.forEach((label, s) => {
    const chosen = pickRandom(Int32Array.from(groups.get(label)!), quotas[s]!, rng)
    out.set(chosen, at)
    at += chosen.length
  })
  return out
}

/** The first `m` entries of a partial Fisher–Yates shuffle of `pool` (a copy is returned). */
function pickRandom(pool: Int32Array, m: number, rng: Rng): Int32Array {
  const a = pool.slice()
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng() * (a.length - i))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
  return a.slice(0, m)
}

function range(n: number): Int32Array {
  const r = new Int32Array(n)
  for (let i = 0; i < n; i++) r[i] = i
  return r
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The rows of F at `indices` (e.g. from sampleIndices), in that order, as a new matrix of the same element type. */
export function takeRows(F: Mat, indices: Int32Array | readonly number[]): Mat {
  const out = new (F.data instanceof Float32Array ? Float32Array : Float64Array)(indices.length * F.cols)
  indices.forEach((i, r) => {
    if (!Number.isInteger(i) || i < 0 || i >= F.rows) throw badInput('sample', `row ${i} is not in 0..${F.rows - 1}`)
    out.set(F.data.subarray(i * F.cols, (i + 1) * F.cols), r * F.cols)
  })
  return { data: out, rows: indices.length, cols: F.cols }
}
