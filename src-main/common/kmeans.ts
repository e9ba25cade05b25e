import { mulberry32 } from './random'

/**
 * k-means (Lloyd's algorithm with k-means++ seeding; Arthur & Vassilvitskii 2007) on `n` points of
 * dimension `dim` stored row-major. Seeded, so the same points and seed give the same clusters.
 * Used to colour item maps by cluster. Returns each point's cluster in 0..k-1 (k is capped at n).
 */
export function kmeans(points: ArrayLike<number>, n: number, dim: number, k: number, seed = 0, maxIter = 100): Int32Array {
  const kk = Math.max(1, Math.min(k, n))
  const rnd = mulberry32(seed)
  const centres = new Float64Array(kk * dim)
  const d2 = new Float64Array(n).fill(Infinity)
  const dist2 = (i: number, c: number): number => {
    let s = 0
    for (let j = 0; j < dim; j++) {
      const v = points[i * dim + j]! - centres[c * dim + j]!
      s += v * v
    }
    return s
  }
  // k-means++: each next centre is drawn with probability proportional to the squared distance.
  let first = Math.floor(rnd() * n)
  for (let c = 0; c < kk; c++) {
    for (let j = 0; j < dim; j++) centres[c * dim + j] = points[first * dim + j]!
    let total = 0
    for (let i = 0; i < n; i++) {
      d2[i] = Math.min(d2[i]!, dist2(i, c))
      total += d2[i]!
    }
    if (c + 1 === kk) break
    let r = rnd() * total
    first = n - 1
    for (let i = 0; i < n; i++) {
      r -= d2[i]!
      if (r <= 0) {
        first = i
        break
      }
    }
  }
  const labels = new Int32Array(n)
  for (let it = 0; it < maxIter; it++) {
    let changed = 0
    for (let i = 0; i < n; i++) {
      let best = 0
      let bestD = Infinity
      for (let c = 0; c < kk; c++) {
        const d = dist2(i, c)
        if (d < bestD) {
          bestD = d
          best = c
        }
      }
      if (labels[i] !== best || it === 0) changed++
      labels[i] = best
    }
    const sums = new Float64Array(kk * dim)
    const counts = new Float64Array(kk)
    for (let i = 0; i < n; i++) {
      counts[labels[i]!]!++
      for (let j = 0; j < dim; j++) sums[labels[i]! * dim + j]! += points[i * dim + j]!
    }
    for (let c = 0; c < kk; c++) if (counts[c]! > 0) for (let j = 0; j < dim; j++) centres[c * dim + j] = sums[c * dim + j]! / counts[c]!
    if (changed === 0) break
  }
  return labels
}
