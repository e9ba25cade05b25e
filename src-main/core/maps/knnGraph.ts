import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import type { KernelBackend } from '../align/backend'
import { l2NormalizeRows } from '../align/prep'
import { throwIfMapCancelled } from './cancel'

/**
 * A k-nearest-neighbour graph: row i lists its k nearest other items, nearest first, with their
 * distances. `indices` and `distances` are n × k row-major; the item itself is never listed.
 */
export interface KnnGraph {
  n: number
  k: number
  indices: Int32Array
  distances: Float64Array
}

/** A copy of F (same element type) with rows divided by max(‖row‖, 1e-12), as the alignment metrics prepare them. */
export function l2NormalizedCopy(F: Mat): Mat {
  const data = F.data instanceof Float32Array ? Float32Array.from(F.data) : Float64Array.from(F.data)
  return l2NormalizeRows({ data, rows: F.rows, cols: F.cols })
}

/**
 * Cosine k-NN graph of the rows of F. Rows are L2-normalised first (a copy), so the backend's
 * top-k by inner product is top-k by cosine similarity, and the distance handed to UMAP is the
 * cosine distance d(i, j) = 1 − x̂_i·x̂_j (clipped at 0 against round-off; a zero row has distance 1
 * to everything). Neighbours come from `backend.knn` (self excluded, ties by ascending index); the
 * distances are recomputed in float64 and each row is re-sorted by them so that float32 round-off
 * in the backend cannot leave a row out of order (UMAP takes the first non-zero distance as ρ_i).
 */
export async function cosineKnnGraph(F: Mat, k: number, backend: KernelBackend, signal?: AbortSignal, where = 'knn'): Promise<KnnGraph> {
  const n = F.rows
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw badInput(where, `k must be an integer in 1..${n - 1} for ${n} items, got ${k}`)
  assertFinite(F, where)
  const X = l2NormalizedCopy(F)
  throwIfMapCancelled(signal, where)
  const indices = await backend.knn(X, k, signal)
  if (indices.length !== n * k) throw new Error(`${where}: backend returned ${indices.length} neighbours, expected ${n * k}`)
  const distances = new Float64Array(n * k)
  const d = X.cols
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!
      let s = 0
      for (let c = 0; c < d; c++) s += X.data[i * d + c]! * X.data[j * d + c]!
      distances[i * k + t] = Math.max(0, 1 - s)
    }
    sortRow(indices, distances, i * k, k)
  }
  return { n, k, indices, distances }
}

/**
 * k-NN graph of a full n × n distance matrix (row-major, diagonal ignored): for each i the k smallest
 * d(i, j), j ≠ i, ties by ascending j. Brute force, O(n² log n): for small sets such as model maps.
 */
export function knnFromDistances(D: Float64Array, n: number, k: number, where = 'knn'): KnnGraph {
  if (D.length !== n * n) throw badInput(where, `expected ${n * n} distances for ${n} items, got ${D.length}`)
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw badInput(where, `k must be an integer in 1..${n - 1} for ${n} items, got ${k}`)
  const indices = new Int32Array(n * k)
  const distances = new Float64Array(n * k)
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => D[i * n + a]! - D[i * n + b]! || a - b)
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = order[t]!
      distances[i * k + t] = D[i * n + order[t]!]!
    }
  }
  return { n, k, indices, distances }
}

/** The first k' ≤ k neighbours of every row (lists are nearest first, so this is the k'-NN graph). */
export function truncateKnn(g: KnnGraph, k: number): KnnGraph {
  if (!Number.isInteger(k) || k < 1 || k > g.k) throw badInput('knn', `can only shorten ${g.k}-NN lists to 1..${g.k}, got ${k}`)
  if (k === g.k) return g
  const indices = new Int32Array(g.n * k)
  const distances = new Float64Array(g.n * k)
  for (let i = 0; i < g.n; i++) {
    indices.set(g.indices.subarray(i * g.k, i * g.k + k), i * k)
    distances.set(g.distances.subarray(i * g.k, i * g.k + k), i * k)
  }
  return { n: g.n, k, indices, distances }
}

export function assertFinite(F: Mat, where: string): void {
  if (F.data.length !== F.rows * F.cols) throw badInput(where, `feature matrix holds ${F.data.length} values, expected ${F.rows}x${F.cols}`)
  for (let t = 0; t < F.data.length; t++) {
    if (!Number.isFinite(F.data[t]!)) {
      throw badInput(where, `feature (${Math.floor(t / F.cols)}, ${t % F.cols}) is ${F.data[t]}; expected finite numbers`)
    }
  }
}

/** Stable insertion sort of one row by distance (k is small). */
function sortRow(idx: Int32Array, dist: Float64Array, o: number, k: number): void {
  for (let a = 1; a < k; a++) {
    const dv = dist[o + a]!
    const iv = idx[o + a]!
    let b = a - 1
    while (b >= 0 && (dist[o + b]! > dv || (dist[o + b] === dv && idx[o + b]! > iv))) {
      dist[o + b + 1] = dist[o + b]!
      idx[o + b + 1] = idx[o + b]!
      b--
    }
    dist[o + b + 1] = dv
    idx[o + b + 1] = iv
  }
}
