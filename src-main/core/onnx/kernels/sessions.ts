import os from 'node:os'
import * as ort from 'onnxruntime-node'
import { AppError } from '../../../common/errors'
import { createSession, type EpChoice } from '../ep'
import { graphBytes, type GraphKind } from './graphs'

/**
 * One cached ONNX Runtime session per kernel graph. The first session decides the execution provider
 * (following `ep`'s fallback order); every later graph is pinned to that same provider so that one
 * backend never mixes providers.
 */
export class KernelSessions {
  private readonly sessions = new Map<GraphKind, ort.InferenceSession>()

  private constructor(
    readonly ep: string,
    readonly threads: number,
    first: [GraphKind, ort.InferenceSession],
  ) {
    this.sessions.set(first[0], first[1])
  }

  static async create(choice: EpChoice = 'auto', threads = os.availableParallelism()): Promise<KernelSessions> {
    const created = await createSession(graphBytes('gemmNT'), choice, sessionOptions(threads))
    return new KernelSessions(created.ep, threads, ['gemmNT', created.session])
  }

  async get(kind: GraphKind): Promise<ort.InferenceSession> {
    let s = this.sessions.get(kind)
    if (!s) {
      s = (await createSession(graphBytes(kind), this.ep as EpChoice, sessionOptions(this.threads, kind !== 'gemmNT64'))).session
      this.sessions.set(kind, s)
    }
    return s
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()]
    this.sessions.clear()
    await Promise.all(all.map((s) => s.release()))
  }
}

/**
 * One GEMM per call: parallelism comes from intra-op threads; inter-op threads would only compete.
 * `spin: false` for graphs called between long TypeScript passes (the calibration null gathers B's
 * entries between GEMMs): idle pool threads that spin take a core from that pass.
 */
function sessionOptions(threads: number, spin = true): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' }
  return spin ? base : { ...base, extra: { session: { intra_op: { allow_spinning: '0' } } } }
}

/** A float32 view of rows [r0, r1) of a row-major matrix with `cols` columns (no copy). */
export function rowsTensor(data: Float32Array, r0: number, r1: number, cols: number): ort.Tensor {
  return new ort.Tensor('float32', data.subarray(r0 * cols, r1 * cols), [r1 - r0, cols])
}

export function int64Scalar1(v: number): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.of(BigInt(v)), [1])
}

/** Throws CANCELLED if the caller aborted; yields to the event loop so an abort can arrive between blocks. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  if (signal?.aborted) throw new AppError('CANCELLED', 'alignment kernel cancelled')
}
