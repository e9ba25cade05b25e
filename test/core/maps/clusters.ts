import type { Mat } from '../../../src-main/common/matrix'
import { mulberry32 } from '../../../src-main/common/random'

/**
 * `perCluster` points around each of `clusters` orthogonal centres sep·e_c in `dim` dimensions with
 * unit Gaussian noise (Box–Muller on a seeded mulberry32): clusters well separated in angle, so also
 * under the cosine geometry the maps use.
 */
export function gaussianClusters(clusters: number, perCluster: number, dim: number, sep: number, seed: number): { F: Mat; labels: number[] } {
  const rng = mulberry32(seed)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  const n = clusters * perCluster
  const data = new Float64Array(n * dim)
  const labels: number[] = []
  for (let i = 0; i < n; i++) {
    const c = i % clusters
    labels.push(c)
    for (let d = 0; d < dim; d++) data[i * dim + d] = gauss() + (d === c ? sep : 0)
  }
  return { F: { data, rows: n, cols: dim }, labels }
}

/** Brute-force k-NN in a 2-D (or any) embedding by Euclidean distance, self excluded, float64. */
export function euclideanKnn(X: Mat, k: number): Int32Array {
  const { rows: n, cols: d } = X
  const out = new Int32Array(n * k)
  for (let i = 0; i < n; i++) {
    const dist: number[] = []
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let c = 0; c < d; c++) s += (X.data[i * d + c]! - X.data[j * d + c]!) ** 2
      dist.push(s)
    }
    const order = dist.map((_, j) => j).filter((j) => j !== i).sort((a, b) => dist[a]! - dist[b]! || a - b)
    for (let t = 0; t < k; t++) out[i * k + t] = order[t]!
  }
  return out
}

/** Share of each item's k nearest embedding neighbours that carry its label, averaged. */
export function knnPurity(X: Mat, labels: number[], k: number): number {
  const nn = euclideanKnn(X, k)
  let same = 0
  for (let i = 0; i < X.rows; i++) for (let t = 0; t < k; t++) if (labels[nn[i * k + t]!] === labels[i]) same++
  return same / (X.rows * k)
}

/** Share of each item's k high-dimensional neighbours kept among its k embedding neighbours (neighbourhood preservation). */
export function preservation(high: Int32Array, highK: number, X: Mat, k: number): number {
  const low = euclideanKnn(X, k)
  let kept = 0
  for (let i = 0; i < X.rows; i++) {
    const h = new Set(Array.from(high.subarray(i * highK, i * highK + k)))
    for (let t = 0; t < k; t++) if (h.has(low[i * k + t]!)) kept++
  }
  return kept / (X.rows * k)
}
