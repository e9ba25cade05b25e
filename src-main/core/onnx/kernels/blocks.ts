/**
 * One piece of the upper block triangle of an N x N product: rows [r0, r1) against columns [c0, c1),
 * with c0 >= r0. When `diag`, c0 === r0 and the piece starts with the square [r0, r1)^2.
 */
export interface Chunk {
  r0: number
  r1: number
  c0: number
  c1: number
  diag: boolean
}

/**
 * Default rows per block and floats per output chunk (64 MB of float32). 1024 rows (chunks 16384 wide)
 * rather than 2048 halves the wasted lower half of the diagonal squares, which shortens mutual-kNN
 * neighbour lists at large N (`npm run bench -- --only align`).
 */
export const DEFAULT_BLOCK_ROWS = 1024
export const DEFAULT_CHUNK_FLOATS = 1 << 24

/**
 * Covers the pairs (i, j), j >= i, of an N x N symmetric product with row blocks of `blockRows` and,
 * per row block, column chunks starting at the block's own first row, each at most `chunkFloats`
 * output values (but at least as wide as the block). Only the blocks on and above the diagonal are
 * visited, so a symmetric product costs about half the full GEMM, and no piece exceeds
 * max(blockRows^2, chunkFloats) values, whatever N is.
 */
export function* upperChunks(n: number, blockRows: number, chunkFloats = DEFAULT_CHUNK_FLOATS): Generator<Chunk> {
  const b = Math.max(1, Math.floor(blockRows))
  const width = Math.max(b, Math.floor(chunkFloats / b))
  for (let r0 = 0; r0 < n; r0 += b) {
    const r1 = Math.min(n, r0 + b)
    for (let c0 = r0; c0 < n; c0 += width) yield { r0, r1, c0, c1: Math.min(n, c0 + width), diag: c0 === r0 }
  }
}

/** Number of output values of all chunks (for progress and FLOP accounting). */
export function upperChunkArea(n: number, blockRows: number, chunkFloats = DEFAULT_CHUNK_FLOATS): number {
  let a = 0
  for (const c of upperChunks(n, blockRows, chunkFloats)) a += (c.r1 - c.r0) * (c.c1 - c.c0)
  return a
}
