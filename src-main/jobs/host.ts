/**
 * Job host: a child process that runs one long job (inference, alignment sweeps, UMAP, reports) so
 * that synchronous native work (onnxruntime, better-sqlite3) never blocks the process serving the UI.
 * Forked by the backend with an IPC channel; it exits when the job ends.
 */
import { toWireError } from '../common/errors'
import { Workspace } from '../core/store/workspace'
import { storageError } from '../core/store/storageError'
import type { FromJobHost, ToJobHost } from './protocol'
import { progressThrottle } from './progress'
import { loadJob } from './kinds'

const controller = new AbortController()

function send(msg: FromJobHost): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve()
    process.send(msg, undefined, undefined, () => resolve())
  })
}

async function run(msg: Extract<ToJobHost, { type: 'start' }>): Promise<void> {
  let ws: Workspace | null = null
  try {
    ws = Workspace.open(msg.dataDir)
    const job = await loadJob(msg.kind, msg.params)
    const progress = progressThrottle((fraction, message, etaSeconds) => void send({ type: 'progress', fraction, message, etaSeconds }))
    const result = await job({ ws, progress, signal: controller.signal })
    await send({ type: 'done', result: result ?? null })
  } catch (e) {
    // Disk full or a read-only workspace reach the UI as the same sentence the CLI prints.
    const w = toWireError(storageError(msg.dataDir, e) ?? e)
    if (w.code === 'CANCELLED' || controller.signal.aborted) await send({ type: 'cancelled' })
    else await send({ type: 'failed', error: w })
  } finally {
    ws?.close()
  }
  process.exit(0)
}

process.on('message', (raw: ToJobHost) => {
  if (raw.type === 'cancel') controller.abort()
  else if (raw.type === 'start') void run(raw)
})
// If the backend goes away, stop: no orphaned workers holding the GPU or the database.
process.on('disconnect', () => {
  controller.abort()
  setTimeout(() => process.exit(0), 2000).unref()
})
