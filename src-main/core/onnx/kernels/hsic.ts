import type { Mat } from '../../../common/matrix'
import { badInput } from '../../../common/errors'
import { DEFAULT_BLOCK_ROWS, DEFAULT_CHUNK_FLOATS, upperChunks } from './blocks'
import { centredF32, centredTransposed } from './features'
import { checkpoint, rowsTensor, type KernelSessions } from './sessions'

export interface HsicTerms {
  ab: number
  aa: number
  bb: number
}

export interface HsicOptions {
  blockRows?: number
  chunkFloats?: number
  /** Column block width for the feature-space path. */
  blockCols?: number
  /** Force a path (tests); by default the cheaper one is chosen. */
  space?: 'feature' | 'sample'
  signal?: AbortSignal
}

const DEFAULT_BLOCK_COLS = 512

/**
 * Linear HSIC terms (unnormalised, as used by linear CKA; Kornblith et al. 2019, eq. 3-4):
 * with Ac = H A, Bc = H B column-centred (H = I - 11^T/N),
 *   ab = tr(K H L H) = ||Ac^T Bc||_F^2,  aa = ||Ac^T Ac||_F^2,  bb = ||Bc^T Bc||_F^2.
 * Feature space (Da + Db <= N): block rows of Ac^T Bc, Ac^T Ac and Bc^T Bc from transposed centred
 * copies, the symmetric ones only from the diagonal on, about N (Da + Db)^2 / 2 multiply-adds. Sample space (otherwise): blocks of K = Ac Ac^T and
 * L = Bc Bc^T over the upper triangle, ab = sum K.L, about N^2 (Da + Db) / 2. GEMMs run in float32;
 * centring and all sums of squares are float64.
 */
export async function linearHsicBlocked(sessions: KernelSessions, A: Mat, B: Mat, opts: HsicOptions = {}): Promise<HsicTerms> {
  if (A.rows !== B.rows) throw badInput('features', `A has ${A.rows} rows but B has ${B.rows}; HSIC needs the same items in both`)
  const space = opts.space ?? (A.cols + B.cols <= A.rows ? 'feature' : 'sample')
  return space === 'feature' ? featureSpace(sessions, A, B, opts) : sampleSpace(sessions, A, B, opts)
}

async function featureSpace(sessions: KernelSessions, A: Mat, B: Mat, opts: HsicOptions): Promise<HsicTerms> {
  const width = Math.max(1, Math.floor(opts.blockCols ?? DEFAULT_BLOCK_COLS))
  const n = A.rows
  const at = centredTransposed(A, 'features A')
  const bt = centredTransposed(B, 'features B')
  const gemm = await sessions.get('gemmNT')
  // Rows [p0, p1) of X^T against rows [q0, q1) of Y^T: one block row of X^T Y, summed squared in float64.
  // `firstOnce` counts the leading (p1 - p0) columns once and the rest twice (a block row of a
  // symmetric product from its diagonal on, whose off-diagonal entries stand for two).
  const blockRow = async (xt: Float32Array, p0: number, p1: number, yt: Float32Array, q0: number, q1: number, firstOnce: boolean): Promise<number> => {
    await checkpoint(opts.signal)
    const G = (await gemm.run({ X: rowsTensor(xt, p0, p1, n), Y: rowsTensor(yt, q0, q1, n) })).S!.data as Float32Array
    const w = q1 - q0
    const once = firstOnce ? p1 - p0 : w
    let s = 0
    for (let r = 0; r < p1 - p0; r++) {
      let a = 0
      let b = 0
      const o = r * w
      for (let c = 0; c < once; c++) a += G[o + c]! * G[o + c]!
      for (let c = once; c < w; c++) b += G[o + c]! * G[o + c]!
      s += a + 2 * b
    }
    return s
  }
  let cross = 0
  for (let p0 = 0; p0 < A.cols; p0 += width) cross += await blockRow(at, p0, Math.min(A.cols, p0 + width), bt, 0, B.cols, false)
  // ||X^T X||_F^2 from the block rows on and above the diagonal.
  const selfTerm = async (xt: Float32Array, cols: number): Promise<number> => {
    let s = 0
    for (let p0 = 0; p0 < cols; p0 += width) s += await blockRow(xt, p0, Math.min(cols, p0 + width), xt, p0, cols, true)
    return s
  }
  return { ab: cross, aa: await selfTerm(at, A.cols), bb: await selfTerm(bt, B.cols) }
}

async function sampleSpace(sessions: KernelSessions, A: Mat, B: Mat, opts: HsicOptions): Promise<HsicTerms> {
  const n = A.rows
  const a = centredF32(A, 'features A')
  const b = centredF32(B, 'features B')
  const gemm = await sessions.get('gemmNT')
  let ab = 0
  let aa = 0
  let bb = 0
  for (const ch of upperChunks(n, opts.blockRows ?? DEFAULT_BLOCK_ROWS, opts.chunkFloats ?? DEFAULT_CHUNK_FLOATS)) {
    await checkpoint(opts.signal)
    const K = (await gemm.run({ X: rowsTensor(a, ch.r0, ch.r1, A.cols), Y: rowsTensor(a, ch.c0, ch.c1, A.cols) })).S!.data as Float32Array
    const L = (await gemm.run({ X: rowsTensor(b, ch.r0, ch.r1, B.cols), Y: rowsTensor(b, ch.c0, ch.c1, B.cols) })).S!.data as Float32Array
    const w = ch.c1 - ch.c0
    // In a diagonal chunk the leading square already holds both (i, j) and (j, i); every other entry stands for two.
    const square = ch.diag ? ch.r1 - ch.r0 : 0
    for (let r = 0; r < ch.r1 - ch.r0; r++) {
      let sab = 0
      let saa = 0
      let sbb = 0
      for (let c = 0; c < w; c++) {
        const k = K[r * w + c]!
        const l = L[r * w + c]!
        const wt = c < square ? 1 : 2
        sab += wt * k * l
        saa += wt * k * k
        sbb += wt * l * l
      }
      ab += sab
      aa += saa
      bb += sbb
    }
  }
  return { ab, aa, bb }
}
