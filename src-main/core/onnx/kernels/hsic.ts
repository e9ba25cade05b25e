import type { Mat } from '../../../common/matrix'
import { badInput } from '../../../common/errors'
import { DEFAULT_BLOCK_ROWS, DEFAULT_CHUNK_FLOATS, upperChunks } from './blocks'
import { centredColumnBlocks, centredF32 } from './features'
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

const DEFAULT_BLOCK_COLS = 1024

/**
 * Linear HSIC terms (unnormalised, as used by linear CKA; Kornblith et al. 2019, eq. 3-4):
 * with Ac = H A, Bc = H B column-centred (H = I - 11^T/N),
 *   ab = tr(K H L H) = ||Ac^T Bc||_F^2,  aa = ||Ac^T Ac||_F^2,  bb = ||Bc^T Bc||_F^2.
 * Feature space (Da + Db <= N): products of column blocks, Ac^T Ac only on and above the block
 * diagonal, about N (Da + Db)^2 / 2 multiply-adds. Sample space (otherwise): blocks of K = Ac Ac^T and
 * L = Bc Bc^T over the upper triangle, ab = sum K.L, about N^2 (Da + Db) / 2. GEMMs run in float32;
 * centring and all sums of squares are float64.
 */
export async function linearHsicBlocked(sessions: KernelSessions, A: Mat, B: Mat, opts: HsicOptions = {}): Promise<HsicTerms> {
  if (A.rows !== B.rows) throw badInput('features', `A has ${A.rows} rows but B has ${B.rows}; HSIC needs the same items in both`)
  const space = opts.space ?? (A.cols + B.cols <= A.rows ? 'feature' : 'sample')
  return space === 'feature' ? featureSpace(sessions, A, B, opts) : sampleSpace(sessions, A, B, opts)
}

function sumSquares(x: Float32Array): number {
  let s = 0
  for (let t = 0; t < x.length; t++) s += x[t]! * x[t]!
  return s
}

async function featureSpace(sessions: KernelSessions, A: Mat, B: Mat, opts: HsicOptions): Promise<HsicTerms> {
  const width = opts.blockCols ?? DEFAULT_BLOCK_COLS
  const n = A.rows
  const ab = centredColumnBlocks(A, width, 'features A')
  const bb = centredColumnBlocks(B, width, 'features B')
  const gemm = await sessions.get('gemmTN')
  const block = async (P: { data: Float32Array; cols: number }, Q: { data: Float32Array; cols: number }): Promise<number> => {
    await checkpoint(opts.signal)
    const out = await gemm.run({ X: rowsTensor(P.data, 0, n, P.cols), Y: rowsTensor(Q.data, 0, n, Q.cols) })
    return sumSquares(out.G!.data as Float32Array)
  }
  // ||X^T X||^2 over blocks: off-diagonal block pairs appear twice in the symmetric product.
  const selfTerm = async (blocks: typeof ab): Promise<number> => {
    let s = 0
    for (let p = 0; p < blocks.length; p++) for (let q = p; q < blocks.length; q++) s += (p === q ? 1 : 2) * (await block(blocks[p]!, blocks[q]!))
    return s
  }
  let cross = 0
  for (const P of ab) for (const Q of bb) cross += await block(P, Q)
  return { ab: cross, aa: await selfTerm(ab), bb: await selfTerm(bb) }
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
