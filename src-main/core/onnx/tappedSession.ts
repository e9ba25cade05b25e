import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type * as ort from 'onnxruntime-node'
import { createSession, type CreatedSession, type EpChoice } from './ep'
import { extraOutputs, readModelProto } from './graph'
import { writeGraphCopy } from './graphCopy'
import { prunePlan } from './prune'
import { writePrunedCopy } from './prunedCopy'
import type { ModelInfo } from './modelInfo'

export interface ModelSession extends CreatedSession {
  /** Names of the graph outputs the session exposes, including tapped ones. */
  outputNames: readonly string[]
  /** Whether a modified copy of the graph was needed. */
  tapped: boolean
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
 * Opens a session that can fetch `wanted` (declared outputs or intermediate tensors). Declared outputs
 * load the user's file as is, by path so external data resolves. Intermediate tensors need a copy of the
 * graph with extra outputs, never written next to the user's file: the copy goes in `tmpDir` (the
 * original bytes plus an appended graph addition, see graphCopy.ts) and its external data is read from
 * the model's own folder by path (`externalDataFrom`), so nothing is linked, copied or read into memory.
 * A graph holding several towers (`info.pruneToTower`) is always copied, cut down to `wanted`
 * (prunedCopy.ts), so that the session needs only the chosen tower's inputs.
 */
export async function openModelSession(
  info: ModelInfo,
  wanted: string[],
  ep: EpChoice,
  tmpDir: string = os.tmpdir(),
  options: ort.InferenceSession.SessionOptions = {},
): Promise<ModelSession> {
  const declared = new Set(info.outputs.map((o) => o.name))
  const needsTap = info.pruneToTower || wanted.some((w) => !declared.has(w))
  const wrap = (c: CreatedSession, tapped: boolean, cleanup: () => void): ModelSession => ({
    ...c,
    outputNames: c.session.outputNames,
    tapped,
    async close() {
      try {
        await c.session.release()
      } finally {
        cleanup()
      }
    },
  })
  if (!needsTap) return wrap(await createSession(info.file, ep, options), false, () => {})
  const addition = extraOutputs(info.file, wanted, info.floatElemType)
  const dir = fs.mkdtempSync(path.join(tmpDir, 'platonic-lab-tap-'))
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const copy = path.join(dir, 'model.onnx')
    // A graph holding several towers is cut down to the wanted outputs, so only one tower's inputs are needed.
    if (info.pruneToTower) writePrunedCopy(info.file, copy, prunePlan(readModelProto(info.file), wanted), addition)
    else writeGraphCopy(info.file, copy, addition)
    return wrap(await createSession(copy, ep, externalDataFrom(path.dirname(info.file), options)), true, cleanup)
  } catch (e) {
    cleanup()
    throw e
  }
}
