import { UMAP } from 'umap-js'
import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import type { KernelBackend } from '../align/backend'
import { chooseBackend } from '../align/chooseBackend'
import { mulberry32, subSeed } from '../../common/random'
import { throwIfMapCancelled, yieldToEventLoop } from './cancel'
import { assertFinite, cosineKnnGraph, l2NormalizedCopy, truncateKnn, type KnnGraph } from './knnGraph'

export type Progress = (fraction: number, message: string) => void

/** Where UMAP's neighbour graph comes from. */
export type NeighbourSource = 'precomputed' | 'umap-js'

export interface ItemMapOptions {
  /**
   * Neighbourhood size counting the item itself, as in umap-js and Python UMAP (default 15, i.e. 14
   * other items). Lowered to n − 1 for tiny inputs; the value used is returned.
   */
  nNeighbors?: number
  /** UMAP min_dist (default 0.1). */
  minDist?: number
  /** Optimisation epochs; default umap-js's choice (500 up to 2,500 items, down to 200 above 7,500). */
  nEpochs?: number
  /** Seeds umap-js's random initialisation, negative sampling and (for 'umap-js') its neighbour search. */
  seed: number
  /**
   * 'precomputed' (default): exact cosine k-NN from the alignment kernels, handed to umap-js with
   * setPrecomputedKNN. 'umap-js': umap-js's own approximate search (random projection trees +
   * NN-descent, cosine metric) — kept for comparison and the benchmark.
   */
  neighbours?: NeighbourSource
  /** Kernel backend for the k-NN; default chooseBackend('auto') (ONNX Runtime, else the TypeScript reference). */
  backend?: KernelBackend
  /** A cosine k-NN graph computed earlier on the same rows (e.g. cached); its k must be ≥ nNeighbors − 1. */
  knn?: KnnGraph
  onProgress?: Progress
  signal?: AbortSignal
}

export interface ItemMap {
  /** n × 2 float64 coordinates, row i is item i. */
  coords: Mat
  seed: number
  /** Epochs run. */
  epochs: number
  nNeighbors: number
  minDist: number
  neighbours: NeighbourSource
  /** The (nNeighbors − 1)-NN graph used, self excluded; null when umap-js searched on its own. */
  knn: KnnGraph | null
  /** Execution provider of the k-NN kernels ('reference', 'cpu', ...), null when none ran. */
  ep: string | null
  /** Wall-clock seconds per phase: k-NN (0 when given or searched by umap-js inside `graph`), fuzzy graph, epochs. */
  timings: { knnS: number; graphS: number; layoutS: number }
}

/**
 * A 2-D UMAP (McInnes, Healy & Melville 2018, arXiv:1802.03426; umap-js by PAIR-code) of the rows of F.
 *
 * Rows are L2-normalised and compared by cosine distance 1 − x̂_i·x̂_j, the geometry the alignment
 * metrics use. In the default path the exact k-NN graph comes from the alignment kernels
 * (`KernelBackend.knn`, blocked on ONNX Runtime for large N) and is given to umap-js as a precomputed
 * graph. umap-js expects each precomputed row to start with the item itself at distance 0 — its own
 * NN-descent returns rows that way and its smooth-kNN step skips column 0 (`for j = 1 ...`), as
 * Python UMAP does — so the rows handed over are [i, nn_1, ..., nn_{k−1}] with distances [0, d_1, ...].
 * umap-js then only needs the row count of the data, so the features are not copied into JS arrays.
 *
 * Randomness is mulberry32 seeded from `seed` (subSeed(seed, 'umap')): the same seed, data and
 * options give the same coordinates. Progress: k-NN 0–40 %, graph 40–45 %, epochs 45–100 %
 * (without a k-NN to compute, the epochs take 10–100 %). Cancelling throws AppError CANCELLED between epochs.
 */
export async function itemMap(F: Mat, opts: ItemMapOptions): Promise<ItemMap> {
  const where = 'item map'
  const n = F.rows
  if (n < 3) throw badInput(where, `needs at least 3 items, got ${n}`)
  const requested = opts.nNeighbors ?? 15
  if (!Number.isInteger(requested) || requested < 2) throw badInput(where, `nNeighbors must be an integer ≥ 2, got ${requested}`)
  const nNeighbors = Math.min(requested, n - 1)
  const minDist = opts.minDist ?? 0.1
  if (!Number.isFinite(minDist) || minDist < 0) throw badInput(where, `minDist must be a non-negative number, got ${minDist}`)
  checkEpochs(opts.nEpochs, where)
  const neighbours = opts.neighbours ?? 'precomputed'
  const progress = opts.onProgress ?? (() => {})
  const signal = opts.signal

  if (neighbours === 'umap-js') {
    assertFinite(F, where)
    const X = l2NormalizedCopy(F)
    const rows: number[][] = []
    for (let i = 0; i < n; i++) rows.push(Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)))
    const umap = new UMAP({ nComponents: 2, nNeighbors, minDist, nEpochs: opts.nEpochs, random: seededRandom(opts.seed), distanceFn: unitCosineDistance })
    progress(0, 'umap-js neighbour search')
    const coords = await optimise(umap, rows, progress, 0.1, signal)
    return { coords: coords.mat, seed: opts.seed, epochs: coords.epochs, nNeighbors, minDist, neighbours, knn: null, ep: null, timings: { knnS: 0, ...coords.timings } }
  }
  if (neighbours !== 'precomputed') throw badInput(where, `unknown neighbour source "${String(neighbours)}"; choose precomputed or umap-js`)

  let knn: KnnGraph
  let ep: string | null = null
  const t0 = performance.now()
  if (opts.knn) {
    if (opts.knn.n !== n) throw badInput(where, `the precomputed k-NN graph is for ${opts.knn.n} items, the features have ${n}`)
    knn = truncateKnn(opts.knn, nNeighbors - 1)
  } else {
    progress(0, `nearest neighbours (k = ${nNeighbors - 1})`)
    const chosen = opts.backend ? { backend: opts.backend, own: false } : { backend: (await chooseBackend('auto')).backend, own: true }
    try {
      knn = await cosineKnnGraph(F, nNeighbors - 1, chosen.backend, signal, where)
      ep = chosen.backend.ep
    } finally {
      if (chosen.own) await chosen.backend.dispose?.()
    }
  }
  const knnS = (performance.now() - t0) / 1000
  const start = opts.knn ? 0.1 : 0.4
  progress(start, 'fuzzy neighbour graph')
  const coords = await runUmapOnGraph(knn, { nNeighbors, minDist, nEpochs: opts.nEpochs, seed: opts.seed }, progress, start, signal)
  return { coords: coords.mat, seed: opts.seed, epochs: coords.epochs, nNeighbors, minDist, neighbours, knn, ep, timings: { knnS, ...coords.timings } }
}

export interface GraphUmapParams {
  /** Counting the item itself; the graph must hold at least nNeighbors − 1 neighbours per row. */
  nNeighbors: number
  minDist: number
  nEpochs?: number
  seed: number
}

/**
 * UMAP of a precomputed k-NN graph (self excluded; self is prepended at distance 0 for umap-js).
 * Shared by item maps and model maps. Progress runs from `start` to 1.
 */
export async function runUmapOnGraph(
  knn: KnnGraph,
  params: GraphUmapParams,
  progress: Progress = () => {},
  start = 0,
  signal?: AbortSignal,
): Promise<UmapLayout> {
  const { indices, distances } = toUmapKnnLists(knn, params.nNeighbors)
  const umap = new UMAP({ nComponents: 2, nNeighbors: params.nNeighbors, minDist: params.minDist, nEpochs: params.nEpochs, random: seededRandom(params.seed) })
  umap.setPrecomputedKNN(indices, distances)
  const n = knn.n
  // With a precomputed graph umap-js reads only X.length (transform() is not offered on this model).
  const placeholder: number[][] = Array.from({ length: n }, () => [])
  return optimise(umap, placeholder, progress, start + 0.05, signal)
}

/**
 * The rows umap-js's setPrecomputedKNN expects: nNeighbors entries per item, the item itself first
 * at distance 0, then its nNeighbors − 1 nearest neighbours — the layout of umap-js's own search.
 */
export function toUmapKnnLists(knn: KnnGraph, nNeighbors: number): { indices: number[][]; distances: number[][] } {
  const m = nNeighbors - 1
  if (!Number.isInteger(nNeighbors) || m < 1 || m > knn.k) throw badInput('umap', `nNeighbors ${nNeighbors} needs ${m} neighbours per item; the graph has ${knn.k}`)
  const indices: number[][] = new Array(knn.n)
  const distances: number[][] = new Array(knn.n)
  for (let i = 0; i < knn.n; i++) {
    const idx = [i]
    const dist = [0]
    for (let t = 0; t < m; t++) {
      idx.push(knn.indices[i * knn.k + t]!)
      dist.push(knn.distances[i * knn.k + t]!)
    }
    indices[i] = idx
    distances[i] = dist
  }
  return { indices, distances }
}

export interface UmapLayout {
  mat: Mat
  epochs: number
  timings: { graphS: number; layoutS: number }
}

async function optimise(umap: UMAP, X: number[][], progress: Progress, epochStart: number, signal?: AbortSignal): Promise<UmapLayout> {
  throwIfMapCancelled(signal, 'UMAP')
  await yieldToEventLoop()
  const t0 = performance.now()
  const total = umap.initializeFit(X)
  const t1 = performance.now()
  throwIfMapCancelled(signal, 'UMAP')
  const every = Math.max(1, Math.round(total / 100))
  for (let e = 0; e < total; e++) {
    umap.step()
    if ((e + 1) % every === 0 || e + 1 === total) {
      progress(epochStart + ((1 - epochStart) * (e + 1)) / total, `UMAP epoch ${e + 1}/${total}`)
      await yieldToEventLoop()
      throwIfMapCancelled(signal, 'UMAP')
    }
  }
  const emb = umap.getEmbedding()
  const data = new Float64Array(emb.length * 2)
  for (let i = 0; i < emb.length; i++) {
    const x = emb[i]![0]!
    const y = emb[i]![1]!
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`UMAP produced a non-finite coordinate for item ${i}`)
    data[2 * i] = x
    data[2 * i + 1] = y
  }
  return { mat: { data, rows: emb.length, cols: 2 }, epochs: total, timings: { graphS: (t1 - t0) / 1000, layoutS: (performance.now() - t1) / 1000 } }
}

function checkEpochs(nEpochs: number | undefined, where: string): void {
  if (nEpochs !== undefined && (!Number.isInteger(nEpochs) || nEpochs < 1)) throw badInput(where, `nEpochs must be a positive integer, got ${nEpochs}`)
}

/**
 * 1 − x·y for unit rows: the same cosine distance as the precomputed path, for umap-js's own search.
 * An item against itself is exactly 0 (round-off would give ~1e-16, which umap-js would take for the
 * nearest non-zero distance ρ_i and so distort every membership strength of that item).
 */
export function unitCosineDistance(x: number[], y: number[]): number {
  if (x === y) return 0
  let s = 0
  for (let c = 0; c < x.length; c++) s += x[c]! * y[c]!
  return Math.max(0, 1 - s)
}

/** The seeded generator umap-js draws from (its `random` parameter). */
export function seededRandom(seed: number): () => number {
  if (!Number.isFinite(seed)) throw badInput('seed', `must be a finite number, got ${seed}`)
  return mulberry32(subSeed(seed, 'umap'))
}
