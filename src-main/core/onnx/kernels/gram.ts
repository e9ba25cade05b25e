import type { Mat } from '../../../common/matrix'
import { badInput } from '../../../common/errors'
import { DEFAULT_BLOCK_ROWS, DEFAULT_CHUNK_FLOATS, upperChunks } from './blocks'
import { featuresF32 } from './features'
import { checkpoint, rowsTensor, type KernelSessions } from './sessions'

/** Largest N for which the N x N float64 result is built (2 GB). */
const MAX_GRAM_N = 16384

export interface GramOptions {
  blockRows?: number
  chunkFloats?: number
  signal?: AbortSignal
}

/**
 * The Gram matrix K = F F^T (K_ij = F_i . F_j), N x N row-major float64 holding float32-computed
 * values. Only blocks on and above the diagonal are computed; each fills both K_IJ and K_JI.
 */
export async function gramBlocked(sessions: KernelSessions, F: Mat, opts: GramOptions = {}): Promise<Float64Array> {
  const n = F.rows
  if (n > MAX_GRAM_N) throw badInput('features', `a full ${n} x ${n} Gram matrix is too large; N must be at most ${MAX_GRAM_N}`)
  const data = featuresF32(F)
  const d = F.cols
  const K = new Float64Array(n * n)
  const gemm = await sessions.get('gemmNT')
  for (const ch of upperChunks(n, opts.blockRows ?? DEFAULT_BLOCK_ROWS, opts.chunkFloats ?? DEFAULT_CHUNK_FLOATS)) {
    await checkpoint(opts.signal)
    const out = await gemm.run({ X: rowsTensor(data, ch.r0, ch.r1, d), Y: rowsTensor(data, ch.c0, ch.c1, d) })
    const S = out.S!.data as Float32Array
    const w = ch.c1 - ch.c0
    for (let r = 0; r < ch.r1 - ch.r0; r++) {
      const i = ch.r0 + r
      for (let c = 0; c < w; c++) {
        const j = ch.c0 + c
        const v = S[r * w + c]!
        K[i * n + j] = v
        K[j * n + i] = v
      }
    }
  }
  return K
}
