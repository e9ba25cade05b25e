import { UMAP } from 'umap-js'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Mat } from '../../../src-main/common/matrix'
import { mulberry32 } from '../../../src-main/common/random'
import { createReferenceBackend } from '../../../src-main/core/align/referenceBackend'
import { cosineKnnGraph, l2NormalizedCopy, type KnnGraph } from '../../../src-main/core/maps/knnGraph'
import { itemMap, toUmapKnnLists, unitCosineDistance, type ItemMap } from '../../../src-main/core/maps/umap'
import { gaussianClusters, knnPurity, preservation } from './clusters'

// 3 well-separated clusters, N = 300, D = 16; 200 epochs keep each layout well under a second.
const { F, labels } = gaussianClusters(3, 100, 16, 4, 7)
const EPOCHS = 200
const backend = createReferenceBackend()

/** Independent float64 cosine k-NN: sort all others by 1 − cos, ties by index. */
function bruteCosineKnn(X: Mat, k: number): { idx: number[][]; dist: number[][] } {
  const { rows: n, cols: d } = X
  const norm = (i: number): number => Math.sqrt(Array.from({ length: d }, (_, c) => X.data[i * d + c]! ** 2).reduce((a, b) => a + b, 0))
  const idx: number[][] = []
  const dist: number[][] = []
  for (let i = 0; i < n; i++) {
    const ds = Array.from({ length: n }, (_, j) => {
      let s = 0
      for (let c = 0; c < d; c++) s += X.data[i * d + c]! * X.data[j * d + c]!
      return 1 - s / (norm(i) * norm(j))
    })
    const order = ds.map((_, j) => j).filter((j) => j !== i).sort((a, b) => ds[a]! - ds[b]! || a - b).slice(0, k)
    idx.push(order)
    dist.push(order.map((j) => ds[j]!))
  }
  return { idx, dist }
}

describe('cosineKnnGraph', () => {
  it('equals a brute-force float64 cosine k-NN', async () => {
    const g = await cosineKnnGraph(F, 14, backend)
    const ref = bruteCosineKnn(F, 14)
    for (let i = 0; i < F.rows; i++) {
      expect(Array.from(g.indices.subarray(i * 14, i * 14 + 14))).toEqual(ref.idx[i])
      ref.dist[i]!.forEach((d, t) => expect(g.distances[i * 14 + t]!).toBeCloseTo(d, 12))
    }
  })

  it('lays rows out as umap-js does: self first at distance 0, then the neighbours (checked against its own search)', async () => {
    const g = await cosineKnnGraph(F, 14, backend)
    const ours = toUmapKnnLists(g, 15)
    const X = l2NormalizedCopy(F)
    const rows = Array.from({ length: X.rows }, (_, i) => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)))
    const umap = new UMAP({ nNeighbors: 15, distanceFn: unitCosineDistance, random: mulberry32(5) })
    // umap-js keeps its search private; call it directly to pin the row layout copied from it.
    const own = umap as unknown as { nearestNeighbors(X: number[][]): { knnIndices: number[][]; knnDistances: number[][] } }
    const theirs = own.nearestNeighbors(rows)
    let identicalRows = 0
    for (let i = 0; i < X.rows; i++) {
      expect(theirs.knnIndices[i]![0]).toBe(i)
      expect(theirs.knnDistances[i]![0]).toBe(0)
      expect(ours.indices[i]![0]).toBe(i)
      expect(ours.distances[i]![0]).toBe(0)
      if (JSON.stringify(theirs.knnIndices[i]) === JSON.stringify(ours.indices[i])) {
        identicalRows++
        theirs.knnDistances[i]!.forEach((d, t) => expect(ours.distances[i]![t]!).toBeCloseTo(d, 12))
      }
    }
    // NN-descent is approximate; on 300 well-clustered points it finds nearly every exact list.
    expect(identicalRows).toBeGreaterThan(0.9 * X.rows)
  })
})

describe('itemMap', () => {
  let pre: ItemMap
  let own: ItemMap
  beforeAll(async () => {
    pre = await itemMap(F, { seed: 1, nEpochs: EPOCHS, backend })
    own = await itemMap(F, { seed: 1, nEpochs: EPOCHS, neighbours: 'umap-js' })
  })

  it('keeps well-separated clusters apart in 2-D', () => {
    expect(pre.coords.rows).toBe(300)
    expect(pre.coords.cols).toBe(2)
    expect(pre.epochs).toBe(EPOCHS)
    expect(pre.nNeighbors).toBe(15)
    expect(pre.ep).toBe('reference')
    expect(pre.knn!.k).toBe(14)
    expect(knnPurity(pre.coords, labels, 10)).toBeGreaterThan(0.95)
  })

  it('with precomputed k-NN is at least as good as umap-js with its own neighbour search', () => {
    const purityPre = knnPurity(pre.coords, labels, 10)
    const purityOwn = knnPurity(own.coords, labels, 10)
    expect(purityOwn).toBeGreaterThan(0.9)
    expect(purityPre).toBeGreaterThanOrEqual(purityOwn - 0.02)
    // Neighbourhood preservation against the exact high-dimensional 10-NN.
    const exact = pre.knn!.indices
    expect(preservation(exact, 14, pre.coords, 10)).toBeGreaterThanOrEqual(preservation(exact, 14, own.coords, 10) - 0.03)
    expect(own.knn).toBeNull()
  })

  it('is deterministic for a seed and changes with it', async () => {
    const again = await itemMap(F, { seed: 1, nEpochs: EPOCHS, backend })
    expect(Array.from(again.coords.data)).toEqual(Array.from(pre.coords.data))
    const other = await itemMap(F, { seed: 2, nEpochs: EPOCHS, knn: pre.knn! })
    expect(Array.from(other.coords.data)).not.toEqual(Array.from(pre.coords.data))
    expect(other.seed).toBe(2)
  })

  it('reuses a given k-NN graph (longer lists are cut) and gives the same layout', async () => {
    const long: KnnGraph = await cosineKnnGraph(F, 20, backend)
    const reused = await itemMap(F, { seed: 1, nEpochs: EPOCHS, knn: long })
    expect(reused.ep).toBeNull()
    expect(Array.from(reused.coords.data)).toEqual(Array.from(pre.coords.data))
  })

  it('reports monotone progress ending at 1', async () => {
    const seen: number[] = []
    await itemMap(F, { seed: 1, nEpochs: 20, knn: pre.knn!, onProgress: (f) => seen.push(f) })
    expect(seen.length).toBeGreaterThan(5)
    seen.forEach((f, i) => i > 0 && expect(f).toBeGreaterThanOrEqual(seen[i - 1]!))
    expect(seen[seen.length - 1]).toBe(1)
  })

  it('throws CANCELLED when aborted before or during the run', async () => {
    const before = new AbortController()
    before.abort()
    await expect(itemMap(F, { seed: 1, backend, signal: before.signal })).rejects.toMatchObject({ code: 'CANCELLED' })
    const during = new AbortController()
    const run = itemMap(F, {
      seed: 1,
      nEpochs: 400,
      knn: pre.knn!,
      signal: during.signal,
      onProgress: (f) => f > 0.5 && during.abort(),
    })
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' })
  })

  it('shrinks nNeighbors for tiny inputs and rejects bad ones', async () => {
    const tiny = gaussianClusters(2, 3, 4, 4, 1).F
    const m = await itemMap(tiny, { seed: 1, nEpochs: 10, backend })
    expect(m.nNeighbors).toBe(5)
    expect(m.coords.data.every(Number.isFinite)).toBe(true)
    const nan = { data: Float64Array.from(F.data), rows: F.rows, cols: F.cols }
    nan.data[17] = Number.NaN
    await expect(itemMap(nan, { seed: 1, backend })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('(1, 1)') })
    await expect(itemMap({ data: new Float64Array(4), rows: 2, cols: 2 }, { seed: 1, backend })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(itemMap(F, { seed: 1, backend, nNeighbors: 1 })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(itemMap(F, { seed: 1, backend, minDist: -1 })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(itemMap(F, { seed: 1, backend, nEpochs: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' })
    await expect(itemMap(F, { seed: 1, knn: { ...pre.knn!, n: 10 } })).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })
})
