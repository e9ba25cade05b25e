import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type * as ort from 'onnxruntime-node'
import { createSession, type CreatedSession, type EpChoice } from './ep'
import { withExtraOutputs } from './graph'
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
 * Opens a session that can fetch `wanted` (declared outputs or intermediate tensors). Declared outputs
 * load the user's file as is, by path so external data resolves. Intermediate tensors need a copy of the
 * graph with extra outputs, never written next to the user's file: inline models load it from memory;
 * external-data models need their weights beside the copy (onnxruntime refuses absolute or escaping
 * locations), so the copy goes in `tmpDir` with hard links to the weight files, or, where a hard link is
 * impossible (another file system), the weights are handed over in memory via `externalData`.
 */
export async function openModelSession(
  info: ModelInfo,
  wanted: string[],
  ep: EpChoice,
  tmpDir: string = os.tmpdir(),
  options: ort.InferenceSession.SessionOptions = {},
): Promise<ModelSession> {
  const declared = new Set(info.outputs.map((o) => o.name))
  // A graph holding several towers is always cut down to the wanted outputs, so only one tower's inputs are needed.
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
  const bytes = withExtraOutputs(info.file, wanted, info.floatElemType, info.pruneToTower)
  if (info.externalDataFiles.length === 0) return wrap(await createSession(bytes, ep, options), true, () => {})

  const dir = path.join(tmpDir, `platonic-lab-tap-${process.pid}-${crypto.randomBytes(4).toString('hex')}`)
  fs.mkdirSync(dir, { recursive: true })
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const srcDir = path.dirname(info.file)
    let linked = true
    for (const rel of info.externalDataFiles) {
      const dest = path.join(dir, rel)
      if (path.relative(dir, dest).startsWith('..')) throw new Error(`external data location ${rel} leaves the model folder`)
      fs.mkdirSync(path.dirname(dest), { recursive: true })
      try {
        fs.linkSync(path.join(srcDir, rel), dest)
      } catch {
        linked = false
        break
      }
    }
    if (linked) {
      const graph = path.join(dir, path.basename(info.file))
      fs.writeFileSync(graph, bytes)
      return wrap(await createSession(graph, ep, options), true, cleanup)
    }
    cleanup()
    const externalData: ort.InferenceSession.SessionOptions['externalData'] = info.externalDataFiles.map((rel) => ({ path: rel, data: fs.readFileSync(path.join(srcDir, rel)) }))
    return wrap(await createSession(bytes, ep, { ...options, externalData }), true, () => {})
  } catch (e) {
    cleanup()
    throw e
  }
}
