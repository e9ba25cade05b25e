import { checkAbort } from './referenceBackend'
import type { LayerView } from './layerView'
import { scorePair, NEEDS_GRAM, type MetricContext, type MetricName } from './metrics'
import { GRAM_ROUTE_MAX_N } from './cka'
import { kernelTables, tableScore } from './kernelTables'

/** A candidate on one side: its layer index (−1 = all layers concatenated) and its prepared view. */
export interface Candidate {
  index: number
  view: LayerView
}

/** Scores of one metric over every candidate pair; rows follow A's candidates, columns B's. */
export interface MetricGrid {
  matrix: number[][]
  reasons: (string | null)[][]
}

export interface SearchOptions {
  onProgress?: (fraction: number, message: string) => void
  signal?: AbortSignal
  /** Memory allowed for B's memoised N x N statistics; above it they are recomputed per pair. */
  cacheBytes?: number
  /** Keep A's memoised statistics too (when they fit the same budget), for a later pass over the same layers. */
  keepA?: boolean
}

const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3

/**
 * The full L_A x L_B table of every requested metric. Each layer's statistics (neighbour lists,
 * centred Grams, SVD) are computed once: B's candidates keep theirs for the whole sweep while A's
 * candidate i is visited once, then released.
 */
export async function layerSearch(A: Candidate[], B: Candidate[], metrics: MetricName[], ctx: MetricContext, opts: SearchOptions = {}): Promise<Record<string, MetricGrid>> {
  const grids: Record<string, MetricGrid> = {}
  for (const m of metrics) grids[m] = { matrix: A.map(() => B.map(() => 0)), reasons: A.map(() => B.map(() => null)) }
  const n = A[0]?.view.n ?? 0
  const gramsPerLayer = metrics.filter((m) => NEEDS_GRAM.has(m) && !(m === 'cka' && n > GRAM_ROUTE_MAX_N)).length + (metrics.some((m) => NEEDS_GRAM.has(m)) ? 1 : 0)
  const budget = opts.cacheBytes ?? DEFAULT_CACHE_BYTES
  const keepB = (B.length + 1) * gramsPerLayer * n * n * 8 <= budget
  const keepA = !!opts.keepA && keepB && (A.length + B.length + 1) * gramsPerLayer * n * n * 8 <= budget
  const tables = await kernelTables(A, B, metrics, ctx, budget)
  const total = A.length * B.length
  let done = 0
  for (let i = 0; i < A.length; i++) {
    const a = A[i]!
    for (let j = 0; j < B.length; j++) {
      checkAbort(opts.signal)
      const b = B[j]!
      for (const m of metrics) {
        const t = tables.get(m)
        const v = t && !a.view.isConstant() && !b.view.isConstant() ? tableScore(t, i, j) : await scorePair(m, a.view, b.view, ctx)
        grids[m]!.matrix[i]![j] = v.score
        grids[m]!.reasons[i]![j] = v.undefinedReason
      }
      if (!keepB) b.view.clear()
      done++
      opts.onProgress?.(done / total, `layer pair ${done}/${total} (A ${a.index}, B ${b.index})`)
    }
    if (!keepA) a.view.clear()
  }
  return grids
}

/**
 * The best pair as in the official `compute_score`: the maximum in row-major order with strict
 * `>`, so ties go to the first pair, and starting from 0 so only scores > 0 qualify. Returns
 * positions into the candidate lists, or null when no score is above 0.
 */
export function bestPosition(matrix: number[][]): { i: number; j: number; score: number } | null {
  let best: { i: number; j: number; score: number } | null = null
  let bestScore = 0
  for (let i = 0; i < matrix.length; i++) {
    const row = matrix[i]!
    for (let j = 0; j < row.length; j++) {
      if (row[j]! > bestScore) {
        bestScore = row[j]!
        best = { i, j, score: row[j]! }
      }
    }
  }
  return best
}
