/**
 * Neighbour-list metrics. Inputs are the row-major [N, k] neighbour lists of A and B (nearest
 * first, as `KernelBackend.knn` returns them). A negative entry (padding in bootstrap resamples
 * with fewer than k other distinct items) matches nothing.
 * Source: `AlignmentMetrics` in minyoungg/platonic-rep metrics.py (Huh et al., ICML 2024).
 */

/**
 * mutual_knn = (1/N) Σ_i |N_A(i) ∩ N_B(i)| / k. Chance level for independent features: k/(N−1).
 */
export function mutualKnn(nA: Int32Array, nB: Int32Array, n: number, k: number): number {
  const stamp = new Int32Array(maxIndex(nA, nB) + 1).fill(-1)
  let total = 0
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nA[i * k + t]!
      if (j >= 0) stamp[j] = i
    }
    let hits = 0
    for (let t = 0; t < k; t++) {
      const j = nB[i * k + t]!
      if (j >= 0 && stamp[j] === i) hits++
    }
    total += hits / k
  }
  return total / n
}

/**
 * cycle_knn(A, B) = fraction of items i for which some j ∈ N_B(i) has i ∈ N_A(j)
 * (`compute_knn_accuracy(knn_A[knn_B])`). Asymmetric.
 */
export function cycleKnn(nA: Int32Array, nB: Int32Array, n: number, k: number): number {
  let hits = 0
  for (let i = 0; i < n; i++) {
    let found = false
    for (let t = 0; t < k && !found; t++) {
      const j = nB[i * k + t]!
      if (j < 0) continue
      for (let u = 0; u < k; u++) {
        if (nA[j * k + u] === i) {
          found = true
          break
        }
      }
    }
    if (found) hits++
  }
  return hits / n
}

/**
 * lcs_knn = (1/N) Σ_i LCS(N_A(i), N_B(i)) / k, the longest common subsequence of the two ranked
 * lists. Normalised to [0, 1] as in the paper; the official code returns the raw length (0..k).
 */
export function lcsKnn(nA: Int32Array, nB: Int32Array, n: number, k: number): number {
  const dp = new Int32Array((k + 1) * (k + 1))
  let total = 0
  for (let i = 0; i < n; i++) total += lcsLength(nA, nB, i * k, k, dp) / k
  return total / n
}

/** Classic O(k²) dynamic programme over x = a[o..o+k), y = b[o..o+k). */
export function lcsLength(a: Int32Array, b: Int32Array, o: number, k: number, dp = new Int32Array((k + 1) * (k + 1))): number {
  const w = k + 1
  for (let t = 0; t < dp.length; t++) dp[t] = 0
  for (let x = 1; x <= k; x++) {
    const ax = a[o + x - 1]!
    for (let y = 1; y <= k; y++) {
      const by = b[o + y - 1]!
      dp[x * w + y] = ax >= 0 && ax === by ? dp[(x - 1) * w + y - 1]! + 1 : Math.max(dp[(x - 1) * w + y]!, dp[x * w + y - 1]!)
    }
  }
  return dp[k * w + k]!
}

/**
 * edit_distance_knn = 1 − (1/N) Σ_i Levenshtein(N_A(i), N_B(i)) / k, unit costs for insertion,
 * deletion and substitution (`torchaudio.functional.edit_distance`).
 */
export function editDistanceKnn(nA: Int32Array, nB: Int32Array, n: number, k: number): number {
  const prev = new Int32Array(k + 1)
  const cur = new Int32Array(k + 1)
  let total = 0
  for (let i = 0; i < n; i++) total += levenshtein(nA, nB, i * k, k, prev, cur)
  return 1 - total / n / k
}

export function levenshtein(a: Int32Array, b: Int32Array, o: number, k: number, prev = new Int32Array(k + 1), cur = new Int32Array(k + 1)): number {
  for (let y = 0; y <= k; y++) prev[y] = y
  for (let x = 1; x <= k; x++) {
    cur[0] = x
    const ax = a[o + x - 1]!
    for (let y = 1; y <= k; y++) {
      const by = b[o + y - 1]!
      const sub = prev[y - 1]! + (ax >= 0 && ax === by ? 0 : 1)
      cur[y] = Math.min(sub, prev[y]! + 1, cur[y - 1]! + 1)
    }
    prev.set(cur)
  }
  return prev[k]!
}

function maxIndex(a: Int32Array, b: Int32Array): number {
  let m = 0
  for (let t = 0; t < a.length; t++) if (a[t]! > m) m = a[t]!
  for (let t = 0; t < b.length; t++) if (b[t]! > m) m = b[t]!
  return m
}
