import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type * as ort from 'onnxruntime-node'
import { noCacheBranchCopy } from './cacheBranch'
import { createSession, type CreatedSession, type EpChoice } from './ep'
import { extraOutputs, readModelProto } from './graph'
import { mergeAdditions, writeGraphCopy, type GraphAddition } from './graphCopy'
import { MIN_POOLING_OPSET, poolingAddition, type GraphPooling } from './graphPooling'
import { prunePlan } from './prune'
import { writePrunedCopy } from './prunedCopy'
import type { Pool } from '../features/pool'
import type { ModelInfo } from './modelInfo'

export interface ModelSession extends CreatedSession {
  /** Names of the graph outputs the session exposes, including tapped ones. */
  outputNames: readonly string[]
  /** Whether a modified copy of the graph was needed. */
  tapped: boolean
  /** Pooling nodes in the graph copy, or null when layers leave the session whole (pooled in JavaScript). */
  pooling: GraphPooling | null
  /** Why pooling was asked for but is not in the graph (old opset, or the pooled copy failed to load). */
  poolingNote: string | null
  /** Releases the session and removes any temporary copy. */
  close(): Promise<void>
}

/**
 * Session options that make onnxruntime resolve external data against the user's model folder while
 * the graph itself is loaded from a copy elsewhere (config key
 * "session.model_external_initializers_file_folder_path", onnxruntime >= 1.19): the weights are read
 * (or mapped) by onnxruntime from the original files, on any file system, and never pass through the
 * JavaScript heap.
 */
export function externalDataFrom(folder: string, options: ort.InferenceSession.SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const extra = (options.extra ?? {}) as Record<string, unknown>
  const session = (extra.session ?? {}) as Record<string, unknown>
  return { ...options, extra: { ...extra, session: { ...session, model_external_initializers_file_folder_path: folder } } }
}

/**
 * Opens a session that can fetch `wanted` (declared outputs or intermediate tensors), pooled inside the
 * graph when `pool` is given (graphPooling.ts; `masked`: padded text). Declared outputs without pooling
 * load the user's file as is, by path so external data resolves. Anything else needs a copy of the graph,
 * never written next to the user's file: the copy goes in `tmpDir` and its external data is read from
 * the model's own folder by path (`externalDataFrom`), so no weight file is linked, copied or read into
 * memory. Tapped layers are extra outputs appended to the original bytes (graphCopy.ts). A pooled copy is
 * cut down (prunedCopy.ts) to the nodes the wanted layers need and has only the pooled outputs, so no
 * `[batch, tokens, D]` activation is kept as a graph output; if onnxruntime refuses it, the plain tapped
 * copy is used instead (`poolingNote` says why). A graph holding several towers (`info.pruneToTower`) is
 * always cut down to `wanted`, so that the session needs only the chosen tower's inputs.
 */
export async function openModelSession(
  info: ModelInfo,
  wanted: string[],
  ep: EpChoice,
  tmpDir: string = os.tmpdir(),
  options: ort.InferenceSession.SessionOptions = {},
  pool: { pool: Pool; masked: boolean } | null = null,
): Promise<ModelSession> {
  const declared = new Set(info.outputs.map((o) => o.name))
  const needsTap = info.pruneToTower || wanted.some((w) => !declared.has(w))
  let pooling = pool ? poolingAddition(wanted, pool.pool, pool.masked, info.opset) : null
  let poolingNote = pool && !pooling ? `the graph's opset ${info.opset} is older than ${MIN_POOLING_OPSET}` : null
  const wrap = (c: CreatedSession, tapped: boolean, cleanup: () => void): ModelSession => ({
    ...c,
    outputNames: c.session.outputNames,
    tapped,
    pooling,
    poolingNote,
    async close() {
      try {
        await c.session.release()
      } finally {
        cleanup()
      }
    },
  })
  if (!needsTap && !pooling) return wrap(await createSession(info.file, ep, options, info.file), false, () => {})
  const dir = fs.mkdtempSync(path.join(tmpDir, 'platonic-lab-tap-'))
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true })
  const fromCopy = async (addition: GraphAddition, prune: 'none' | 'to-wanted' | 'to-pooled'): Promise<CreatedSession> => {
    const copy = path.join(dir, 'model.onnx')
    // A merged decoder's copy runs its no-cache branch in place of the If, so its layers can be outputs.
    const merged = info.decoder?.useCacheBranch ? noCacheBranchCopy(info.file, readModelProto(info.file), prune === 'none' ? null : wanted) : null
    if (merged) writePrunedCopy(info.file, copy, prune === 'to-pooled' ? { ...merged.plan, output: new Set<number>() } : merged.plan, mergeAdditions(merged.addition, addition))
    else if (prune === 'none') writeGraphCopy(info.file, copy, addition)
    else {
      const plan = prunePlan(readModelProto(info.file), wanted)
      writePrunedCopy(info.file, copy, prune === 'to-pooled' ? { ...plan, output: new Set<number>() } : plan, addition)
    }
    return createSession(copy, ep, externalDataFrom(path.dirname(info.file), options), info.file)
  }
  try {
    if (pooling) {
      try {
        return wrap(await fromCopy(pooling.addition, 'to-pooled'), true, cleanup)
      } catch (e) {
        poolingNote = `the pooled graph did not load (${e instanceof Error ? e.message : String(e)})`
        pooling = null
      }
    }
    return wrap(await fromCopy(extraOutputs(info.file, wanted, info.floatElemType), info.pruneToTower ? 'to-wanted' : 'none'), true, cleanup)
  } catch (e) {
    cleanup()
    throw e
  }
}
