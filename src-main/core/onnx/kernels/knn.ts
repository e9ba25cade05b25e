import type { Mat } from '../../../common/matrix'
import { badInput } from '../../../common/errors'
import { DEFAULT_BLOCK_ROWS, DEFAULT_CHUNK_FLOATS, upperChunks, type Chunk } from './blocks'
import { featuresF32 } from './features'
import { RunningTopK } from './runningTopK'
import { checkpoint, int64Scalar1, rowsTensor, type KernelSessions } from './sessions'

/** Where the per-block top-k selection runs: in TypeScript over the Gram block, or as TopK nodes in the graph. */
export type TopkMode = 'ts' | 'graph'

export interface KnnOptions {
  blockRows?: number
  chunkFloats?: number
  topk?: TopkMode
  signal?: AbortSignal
}

/**
 * k nearest neighbours by inner product, self excluded: for each row i, the k rows j != i with the
 * largest F_i . F_j, nearest first, equal scores by ascending j (as `compute_nearest_neighbors` in
 * the official PRH code: Gram matrix, diagonal set to -1e8, descending argsort, first k).
 *
 * Blocked over the upper triangle of the Gram matrix: each block S = F_I F_J^T (J >= I) serves both
 * the rows of I (top-k along S's rows) and the rows of J (top-k along S's columns), so the GEMM work
 * is about N^2 D instead of 2 N^2 D, and memory holds one block, never N x N.
 * Scores are float32; neighbours whose scores differ by float32 rounding only may swap relative to
 * a float64 computation.
 */
export async function knnBlocked(sessions: KernelSessions, F: Mat, k: number, opts: KnnOptions = {}): Promise<Int32Array> {
  const n = F.rows
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw badInput('k', `must be an integer from 1 to N-1 = ${n - 1}, got ${k}`)
  const data = featuresF32(F)
  const d = F.cols
  const top = new RunningTopK(n, k)
  const mode = opts.topk ?? 'ts'
  const blockRows = opts.blockRows ?? DEFAULT_BLOCK_ROWS
  const gemm = await sessions.get(mode === 'ts' ? 'gemmNT' : 'gemmNTTopk')
  const gemmDiag = mode === 'ts' ? gemm : await sessions.get('gemmNTTopkDiag')
  for (const ch of upperChunks(n, blockRows, opts.chunkFloats ?? DEFAULT_CHUNK_FLOATS)) {
    await checkpoint(opts.signal)
    const X = rowsTensor(data, ch.r0, ch.r1, d)
    const Y = rowsTensor(data, ch.c0, ch.c1, d)
    if (mode === 'ts') {
      const out = await gemm.run({ X, Y })
      scanBlock(top, out.S!.data as Float32Array, ch)
    } else {
      const m = ch.r1 - ch.r0
      const w = ch.c1 - ch.c0
      const out = await (ch.diag ? gemmDiag : gemm).run({ X, Y, kRow: int64Scalar1(Math.min(k, w)), kCol: int64Scalar1(Math.min(k, m)) })
      mergeTopk(top, out.rowVals!.data as Float32Array, out.rowIdx!.data as BigInt64Array, out.colVals!.data as Float32Array, out.colIdx!.data as BigInt64Array, ch)
    }
  }
  if (!top.full()) throw new Error('knnBlocked: a row received fewer than k candidates')
  return top.idx
}

/**
 * Offers every score of block S (rows ch.r0.., columns ch.c0..) to the rows of the block and, for
 * columns past the block's own rows, to those columns' rows. Within a row, candidates arrive in
 * ascending index order, so the threshold test `v >= thr` is exact.
 */
function scanBlock(top: RunningTopK, S: Float32Array, ch: Chunk): void {
  const { r0, r1, c0 } = ch
  const w = ch.c1 - c0
  const thr = top.thr
  const colStart = Math.max(0, r1 - c0)
  for (let r = 0; r < r1 - r0; r++) {
    const i = r0 + r
    const off = r * w
    let t = thr[i]!
    for (let c = 0; c < w; c++) {
      const v = S[off + c]!
      if (v >= t && c0 + c !== i) {
        top.offer(i, v, c0 + c)
        t = thr[i]!
      }
    }
    for (let c = colStart; c < w; c++) {
      const v = S[off + c]!
      if (v >= thr[c0 + c]!) top.offer(c0 + c, v, i)
    }
  }
}

/** Merges in-graph TopK results: row candidates for the block's rows, column candidates for later rows. */
function mergeTopk(top: RunningTopK, rv: Float32Array, ri: BigInt64Array, cv: Float32Array, ci: BigInt64Array, ch: Chunk): void {
  const { r0, r1, c0 } = ch
  const m = r1 - r0
  const w = ch.c1 - c0
  const kr = rv.length / m
  const kc = cv.length / w
  const thr = top.thr
  for (let r = 0; r < m; r++) {
    const i = r0 + r
    for (let t = 0; t < kr; t++) {
      const v = rv[r * kr + t]!
      const j = c0 + Number(ri[r * kr + t]!)
      if (j !== i && v >= thr[i]!) top.offer(i, v, j)
    }
  }
  for (let c = Math.max(0, r1 - c0); c < w; c++) {
    const j = c0 + c
    for (let t = 0; t < kc; t++) {
      const v = cv[t * w + c]!
      if (v >= thr[j]!) top.offer(j, v, r0 + Number(ci[t * w + c]!))
    }
  }
}
