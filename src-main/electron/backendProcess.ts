/**
 * The backend in the desktop app: an Electron utilityProcess that owns the workspace (SQLite) and
 * starts job hosts, so no native synchronous work runs in the main process that draws windows.
 * Main forwards each window's calls here and relays events back.
 */
import { Backend } from '../backend/appService'
import { createDispatcher } from '../common/dispatch'

type Parent = { on(ev: 'message', cb: (e: { data: unknown }) => void): void; postMessage(m: unknown): void }
const parent = (process as unknown as { parentPort: Parent }).parentPort

let backend: Backend | null = null
let dispatch: ReturnType<typeof createDispatcher> | null = null

parent.on('message', (e) => {
  const msg = e.data as { type: 'init'; dataDir: string } | { type: 'call'; id: number; method: unknown; args: unknown }
  if (msg.type === 'init') {
    try {
      backend = new Backend({ dataDir: msg.dataDir, mode: 'electron' })
      dispatch = createDispatcher(backend.api)
      backend.subscribe((event) => parent.postMessage({ type: 'event', event }))
      parent.postMessage({ type: 'ready' })
    } catch (err) {
      parent.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
    }
  } else if (msg.type === 'call') {
    if (!dispatch) {
      parent.postMessage({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'UNAVAILABLE', message: 'the backend is still starting' } } })
      return
    }
    void dispatch(msg.method, msg.args).then((result) => parent.postMessage({ type: 'result', id: msg.id, result }))
  }
})

process.on('exit', () => backend?.close())
