/**
 * Selection of the k largest scores in one row, nearest first, equal scores ordered by ascending
 * index — the tie rule of the `KernelBackend.knn` contract. Insertion into a sorted buffer of
 * length k: O(n·k) worst case, O(n) typical, which beats a full sort for the small k used here.
 *
 * `score(j)` gives the score of candidate j; `skip(j)` excludes candidates (self, duplicates).
 * Writes the indices into `out` at `offset` and returns how many were found (< k only when fewer
 * than k candidates exist).
 */
export function topKInto(
  n: number,
  k: number,
  score: (j: number) => number,
  skip: (j: number) => boolean,
  out: Int32Array,
  offset: number,
  scratch: Float64Array,
): number {
  let filled = 0
  for (let j = 0; j < n; j++) {
    if (skip(j)) continue
    const s = score(j)
    // Strictly greater wins: a later index with an equal score stays behind the earlier one.
    if (filled === k && !(s > scratch[k - 1]!)) continue
    let pos = filled < k ? filled : k - 1
    while (pos > 0 && s > scratch[pos - 1]!) {
      scratch[pos] = scratch[pos - 1]!
      out[offset + pos] = out[offset + pos - 1]!
      pos--
    }
    scratch[pos] = s
    out[offset + pos] = j
    if (filled < k) filled++
  }
  return filled
}
