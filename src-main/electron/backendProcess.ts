/**
 * The backend in the desktop app: an Electron utilityProcess that owns the workspace (SQLite) and
 * starts job hosts, so no native synchronous work runs in the main process that draws windows.
 * Main forwards each window's calls here and relays events back.
 */
import { Backend } from '../backend/appService'
import { createDispatcher } from '../common/dispatch'

interface Parent {
  onMessage(cb: (data: unknown) => void): void
  post(m: unknown): void
}

/**
 * Two hosts: an Electron utilityProcess (packaged app: native modules rebuilt for Electron's ABI) or a
 * plain Node child forked by the shell during development (`npm start`), where better-sqlite3 is built
 * for the system Node and would not load inside Electron.
 */
function parentChannel(): Parent {
  const port = (process as unknown as { parentPort?: { on(ev: 'message', cb: (e: { data: unknown }) => void): void; postMessage(m: unknown): void } }).parentPort
  if (port) return { onMessage: (cb) => port.on('message', (e) => cb(e.data)), post: (m) => port.postMessage(m) }
  return { onMessage: (cb) => process.on('message', cb), post: (m) => process.send?.(m) }
}
const parent = parentChannel()

let backend: Backend | null = null
let dispatch: ReturnType<typeof createDispatcher> | null = null

parent.onMessage((data) => {
  const msg = data as { type: 'init'; dataDir: string } | { type: 'call'; id: number; method: unknown; args: unknown }
  if (msg.type === 'init') {
    try {
      backend = new Backend({ dataDir: msg.dataDir, mode: 'electron' })
      dispatch = createDispatcher(backend.api)
      backend.subscribe((event) => parent.post({ type: 'event', event }))
      parent.post({ type: 'ready' })
    } catch (err) {
      parent.post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
    }
  } else if (msg.type === 'call') {
    if (!dispatch) {
      parent.post({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'UNAVAILABLE', message: 'the backend is still starting' } } })
      return
    }
    void dispatch(msg.method, msg.args).then((result) => parent.post({ type: 'result', id: msg.id, result }))
  }
})

process.on('exit', () => backend?.close())
