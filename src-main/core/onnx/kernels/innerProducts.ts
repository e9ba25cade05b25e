import * as ort from 'onnxruntime-node'
import { innerProductsF64 } from '../../align/innerProducts'
import { checkpoint, type KernelSessions } from './sessions'

/** Columns per GEMM call: bounds the float64 slices handed to the runtime (2 × 8 MB per row pair block). */
const CHUNK_COLS = 1 << 20

/**
 * S = X Yᵀ for X [m, d], Y [n, d] in float64 on ONNX Runtime (a double-precision Gemm), summing
 * column chunks in TypeScript. Falls back to the TypeScript loop when the provider has no float64 Gemm.
 */
export async function innerProductsBlocked(sessions: KernelSessions, X: Float64Array, m: number, Y: Float64Array, n: number, d: number, signal?: AbortSignal, chunkCols = CHUNK_COLS): Promise<Float64Array> {
  let gemm: ort.InferenceSession
  try {
    gemm = await sessions.get('gemmNT64')
  } catch {
    return innerProductsF64(X, m, Y, n, d)
  }
  const out = new Float64Array(m * n)
  for (let c0 = 0; c0 < d; c0 += chunkCols) {
    await checkpoint(signal)
    const w = Math.min(chunkCols, d - c0)
    const xs = w === d ? X : sliceCols(X, m, d, c0, w)
    const ys = w === d ? Y : sliceCols(Y, n, d, c0, w)
    const S = (await gemm.run({ X: new ort.Tensor('float64', xs, [m, w]), Y: new ort.Tensor('float64', ys, [n, w]) })).S!.data as Float64Array
    for (let t = 0; t < m * n; t++) out[t]! += S[t]!
  }
  return out
}

function sliceCols(A: Float64Array, rows: number, cols: number, c0: number, w: number): Float64Array {
  const out = new Float64Array(rows * w)
  for (let r = 0; r < rows; r++) out.set(A.subarray(r * cols + c0, r * cols + c0 + w), r * w)
  return out
}
