import { badInput } from '../../common/errors'
import type { NeighbourRow, NeighbourPanel } from '../../common/contract/maps'

export type { NeighbourRow, NeighbourPanel } from '../../common/contract/maps'

/**
 * The linked-selection panel of two item maps: for each selected item, its k nearest neighbours in
 * space A and in space B and their intersection — mutual k-NN (Huh et al. 2024, §2: m_NN = mean_i
 * |N_A(i) ∩ N_B(i)| / k) made visible item by item. `knnA` and `knnB` are n × k row-major neighbour
 * lists (self excluded, nearest first, as `KernelBackend.knn` returns them); longer lists can be
 * passed with `strideA` / `strideB` and only their first k entries are read.
 */
export function neighbourPanel(
  knnA: Int32Array,
  knnB: Int32Array,
  k: number,
  selected: readonly number[],
  opts: { strideA?: number; strideB?: number } = {},
): NeighbourPanel {
  const where = 'neighbour panel'
  const strideA = opts.strideA ?? k
  const strideB = opts.strideB ?? k
  if (!Number.isInteger(k) || k < 1) throw badInput(where, `k must be a positive integer, got ${k}`)
  if (strideA < k || strideB < k) throw badInput(where, `k = ${k} exceeds the neighbour lists (${strideA} and ${strideB} per item)`)
  if (knnA.length % strideA !== 0 || knnB.length % strideB !== 0) throw badInput(where, 'neighbour list lengths are not multiples of their row length')
  const n = knnA.length / strideA
  if (knnB.length / strideB !== n) throw badInput(where, `space A has ${n} items, space B ${knnB.length / strideB}`)
  if (k > n - 1) throw badInput(where, `k = ${k} but there are only ${n} items`)
  const rows: NeighbourRow[] = []
  let sum = 0
  for (const i of selected) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw badInput(where, `selected item ${i} is not in 0..${n - 1}`)
    const a = Array.from(knnA.subarray(i * strideA, i * strideA + k))
    const b = Array.from(knnB.subarray(i * strideB, i * strideB + k))
    for (const j of [...a, ...b]) if (!(j >= 0 && j < n) || j === i) throw badInput(where, `item ${i}'s neighbour list holds ${j}; expected other items in 0..${n - 1}`)
    const inB = new Set(b)
    const shared = a.filter((j) => inB.has(j))
    const overlap = shared.length / k
    sum += overlap
    rows.push({ index: i, a, b, shared, overlap })
  }
  return { k, rows, meanOverlap: rows.length > 0 ? sum / rows.length : null }
}
