import type { KernelBackend } from '../../align/backend'
import type { EpChoice } from '../ep'
import { gramBlocked } from './gram'
import { linearHsicBlocked } from './hsic'
import { knnBlocked, type TopkMode } from './knn'
import { KernelSessions } from './sessions'
import { innerProductsBlocked } from './innerProducts'

export interface OrtBackendOptions {
  /** Execution provider (`--ep`); `auto` falls back along ep.ts's order. */
  ep?: EpChoice
  /** Rows per block of the blocked Gram products (default 2048). */
  blockRows?: number
  /** Floats per output chunk; bounds each block's memory (default 2^24 = 64 MB). */
  chunkFloats?: number
  /** Column block width of feature-space HSIC (default 1024). */
  blockCols?: number
  /** Where top-k selection runs; default: 'ts' on CPU (no extra pass), 'graph' on accelerators (small transfers). */
  topk?: TopkMode
  /** Intra-op threads (default: all cores). */
  threads?: number
}

/**
 * The alignment kernels on ONNX Runtime: small graphs built at run time (graphs.ts), one cached
 * session per graph, run block by block so memory stays bounded for large N.
 */
export async function createOrtBackend(opts: OrtBackendOptions = {}): Promise<KernelBackend> {
  const sessions = await KernelSessions.create(opts.ep ?? 'auto', opts.threads)
  const topk: TopkMode = opts.topk ?? (sessions.ep === 'cpu' ? 'ts' : 'graph')
  const blocks = { blockRows: opts.blockRows, chunkFloats: opts.chunkFloats }
  return {
    ep: sessions.ep,
    knn: (F, k, signal) => knnBlocked(sessions, F, k, { ...blocks, topk, signal }),
    gram: (F, signal) => gramBlocked(sessions, F, { ...blocks, signal }),
    linearHsic: (A, B, signal) => linearHsicBlocked(sessions, A, B, { ...blocks, blockCols: opts.blockCols, signal }),
    innerProducts: (X, m, Y, n, d, signal) => innerProductsBlocked(sessions, X, m, Y, n, d, signal),
    dispose: () => sessions.dispose(),
  }
}

export { KernelSessions } from './sessions'
export type { TopkMode } from './knn'
