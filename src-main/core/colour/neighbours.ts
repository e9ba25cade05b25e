import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'

/**
 * The k nearest other items of each item under a distance matrix (n × n), nearest first, equal distances
 * ordered by ascending index. Returns n·k indices, row-major.
 */
export function knnFromDistances(d: Mat, k: number): Int32Array {
  const n = d.rows
  if (d.cols !== n) throw badInput('distances', `must be square, got ${d.rows}x${d.cols}`)
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw badInput('k', `must be an integer from 1 to ${n - 1} for ${n} items, got ${k}`)
  const out = new Int32Array(n * k)
  const idx = Array.from({ length: n }, (_, j) => j)
  for (let i = 0; i < n; i++) {
    const row = idx.filter((j) => j !== i).sort((a, b) => d.data[i * n + a]! - d.data[i * n + b]! || a - b)
    for (let t = 0; t < k; t++) out[i * k + t] = row[t]!
  }
  return out
}

/**
 * Mutual k-nearest-neighbour alignment of two spaces over the same n items, each given by its distance
 * matrix: mean over items of |N_A(i) ∩ N_B(i)| / k (Huh et al. 2024, `mutual_knn` in the official PRH code,
 * there with inner-product neighbours of normalised features; here with whatever distance each space
 * defines, which suits 3-D colour spaces like CIELAB where position, not direction, matters).
 * Under random labelling the expected score is k / (n − 1) (see `mutualKnnChance`).
 */
export function mutualKnnFromDistances(a: Mat, b: Mat, k: number): number {
  if (a.rows !== b.rows) throw badInput('mutual k-NN', `spaces have ${a.rows} and ${b.rows} items`)
  const n = a.rows
  const na = knnFromDistances(a, k)
  const nb = knnFromDistances(b, k)
  let total = 0
  const mark = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) mark[na[i * k + t]!] = 1
    let hits = 0
    for (let t = 0; t < k; t++) hits += mark[nb[i * k + t]!]!
    for (let t = 0; t < k; t++) mark[na[i * k + t]!] = 0
    total += hits / k
  }
  return total / n
}

/** Expected mutual k-NN score of two unrelated spaces over n items: k / (n − 1). */
export function mutualKnnChance(n: number, k: number): number {
  return k / (n - 1)
}
