import type { KernelBackend } from './backend'
import type { LayerView } from './layerView'
import { cycleKnn, editDistanceKnn, lcsKnn, mutualKnn } from './knnMetrics'
import { linearCka, rbfCka, unbiasedCka } from './cka'
import { cknna } from './cknna'
import { svcca } from './svcca'
import { rsa } from './rsa'
import { procrustes } from './procrustes'

import type { MetricName } from '../../common/contract/align'

export { isMetricName, METRIC_NAMES, type MetricName } from '../../common/contract/align'

/** Metrics that read neighbour lists and so depend on k. */
export const USES_K: ReadonlySet<MetricName> = new Set(['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cknna'])
/**
 * Metrics whose score changes when A and B swap: cycle_knn by definition; cknna slightly, because
 * the masked kernels M⊙K are not symmetric, so Σ(PQ) ≠ Σ(QP) (true of the official code too).
 */
export const ASYMMETRIC: ReadonlySet<MetricName> = new Set(['cycle_knn', 'cknna'])
/** Metrics that need the N x N Gram matrix of each layer. */
export const NEEDS_GRAM: ReadonlySet<MetricName> = new Set(['cka', 'cka_rbf', 'unbiased_cka'])
/** Unbiased HSIC divides by N(N−3) and (N−2). */
export const MIN_N: Partial<Record<MetricName, number>> = { unbiased_cka: 4, cknna: 4, svcca: 2 }

export interface MetricContext {
  k: number
  rbfSigma: number
  backend: KernelBackend
  signal?: AbortSignal
}

export interface MetricValue {
  score: number
  /** Why the score is a placeholder 0 rather than a measurement (constant layer, negative HSIC product). */
  undefinedReason: string | null
}

/** One metric on one pair of prepared layers (A's first). */
export async function scorePair(metric: MetricName, a: LayerView, b: LayerView, ctx: MetricContext): Promise<MetricValue> {
  // A layer whose rows are all identical has no neighbour structure and no variance: kNN ties
  // would otherwise make two constant layers look perfectly aligned.
  for (const v of [a, b]) {
    if (v.isConstant()) return { score: 0, undefinedReason: `${v.label} is constant across items; ${metric} is undefined` }
  }
  const { k, signal } = ctx
  switch (metric) {
    case 'mutual_knn':
      return { score: mutualKnn(await a.knn(k, signal), await b.knn(k, signal), a.n, k), undefinedReason: null }
    case 'cycle_knn':
      return { score: cycleKnn(await a.knn(k, signal), await b.knn(k, signal), a.n, k), undefinedReason: null }
    case 'lcs_knn':
      return { score: lcsKnn(await a.knn(k, signal), await b.knn(k, signal), a.n, k), undefinedReason: null }
    case 'edit_distance_knn':
      return { score: editDistanceKnn(await a.knn(k, signal), await b.knn(k, signal), a.n, k), undefinedReason: null }
    case 'cka':
      return linearCka(a, b, ctx.backend, signal)
    case 'cka_rbf':
      return rbfCka(a, b, ctx.rbfSigma, signal)
    case 'unbiased_cka':
      return unbiasedCka(a, b, signal)
    case 'cknna':
      return cknna(a, b, k, signal)
    case 'svcca':
      return svcca(a, b)
    case 'rsa':
      return rsa(a, b)
    case 'procrustes':
      return procrustes(a, b)
  }
}
