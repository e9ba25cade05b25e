import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import { knnFromDistances } from './knnGraph'
import { classicalMds } from './mds'
import { runUmapOnGraph, type Progress } from './umap'
import { MODEL_MAP_METHODS, type ModelMap, type ModelMapMethod, type ModelPoint } from '../../common/contract/maps'

export type { ModelMap, ModelMapMethod, ModelPoint } from '../../common/contract/maps'

export interface ModelMapOptions {
  /** 'auto' (default): classical MDS below AUTO_UMAP_FROM models, UMAP from there on. */
  method?: ModelMapMethod
  /** Seed of the UMAP layout (MDS is deterministic; the seed is still returned). */
  seed: number
  onProgress?: Progress
  signal?: AbortSignal
}

/** With this many models or more, 'auto' switches from classical MDS to UMAP. */
export const AUTO_UMAP_FROM = 12

/**
 * Distances between models from an alignment matrix: d_ij = max(0, 1 − (s_ij + s_ji)/2) for i ≠ j,
 * d_ii = 0. Scores may be any finite numbers (alignment in [0, 1] gives distances in [0, 1]);
 * a score above 1 means "identical" and clips to distance 0.
 */
export function alignmentDistances(scores: Mat, where = 'model map'): Mat {
  const n = scores.rows
  if (scores.cols !== n) throw badInput(where, `alignment matrix must be square, got ${scores.rows}x${scores.cols}`)
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const s = scores.data[i * n + j]!
      if (i !== j && !Number.isFinite(s)) throw badInput(where, `score (${i}, ${j}) is ${s}; every pair of models needs an alignment score`)
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.max(0, 1 - 0.5 * (scores.data[i * n + j]! + scores.data[j * n + i]!))
      out[i * n + j] = out[j * n + i] = d
    }
  }
  return { data: out, rows: n, cols: n }
}

/**
 * The "strong models are all alike" picture (Huh et al. 2024, Fig. 1/3): models as points placed so
 * that well-aligned models sit close. Distance = 1 − alignment (see `alignmentDistances`).
 * - 'mds': classical MDS (Torgerson), first two axes — exact for few models, deterministic.
 * - 'umap': UMAP on the exact k-NN graph of the distance matrix with nNeighbors = min(5, n − 1)
 *   (counting the model itself, umap-js convention), seeded; needs n ≥ 3.
 * - 'auto': 'mds' when n < 12, else 'umap'.
 */
export async function modelMap(names: readonly string[], scores: Mat, opts: ModelMapOptions): Promise<ModelMap> {
  const where = 'model map'
  const n = names.length
  if (n < 1) throw badInput(where, 'no models to place')
  if (scores.rows !== n) throw badInput(where, `${n} model names but a ${scores.rows}x${scores.cols} alignment matrix`)
  if (new Set(names).size !== n) throw badInput(where, 'model names must be unique')
  const requested = opts.method ?? 'auto'
  if (!MODEL_MAP_METHODS.includes(requested)) throw badInput(where, `unknown method "${requested}"; choose auto, mds or umap`)
  const method: 'mds' | 'umap' = requested === 'auto' ? (n < AUTO_UMAP_FROM ? 'mds' : 'umap') : requested
  const distances = alignmentDistances(scores, where)
  // A plain array, not the Float64Array: the result crosses the API as JSON.
  const wireDistances = { rows: distances.rows, cols: distances.cols, data: Array.from(distances.data) }
  const place = (xy: Float64Array, stride: number): ModelPoint[] => names.map((name, i) => ({ name, x: xy[i * stride]!, y: xy[i * stride + 1]! }))

  if (method === 'mds') {
    const mds = classicalMds(distances, 2, where)
    return { points: place(mds.coords.data as Float64Array, 2), method, seed: opts.seed, distances: wireDistances, stress: mds.stress, explained: mds.explained, nNeighbors: null }
  }
  if (n < 3) throw badInput(where, `UMAP needs at least 3 models, got ${n}; use MDS`)
  const nNeighbors = Math.min(5, n - 1)
  const graph = knnFromDistances(distances.data as Float64Array, n, nNeighbors - 1, where)
  const umap = await runUmapOnGraph(graph, { nNeighbors, minDist: 0.1, seed: opts.seed }, opts.onProgress, 0, opts.signal)
  return { points: place(umap.mat.data as Float64Array, 2), method, seed: opts.seed, distances: wireDistances, stress: null, explained: null, nNeighbors }
}
