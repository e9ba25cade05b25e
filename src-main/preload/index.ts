/**
 * The only bridge between the page and the app: `invoke(method, args)` for methods of the AppApi
 * contract (allow-listed here too, so a compromised page cannot reach other channels), `onEvent`,
 * and two desktop-only helpers (native file picker, PDF export). No Node APIs reach the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { METHOD_NAMES } from '../common/api'
import { IPC_CHANNELS, PICK_KINDS, type DesktopBridge } from '../common/contract/bridge'

const allowed = new Set<string>(METHOD_NAMES)
const pickKinds = new Set<string>(PICK_KINDS)

contextBridge.exposeInMainWorld('platonic', {
  invoke(method: string, args: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !allowed.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${JSON.stringify(method)}` } })
    }
    return ipcRenderer.invoke(IPC_CHANNELS.invoke, method, args)
  },
  onEvent(cb: (e: unknown) => void): () => void {
    const listener = (_: IpcRendererEvent, e: unknown) => cb(e)
    ipcRenderer.on(IPC_CHANNELS.event, listener)
    return () => ipcRenderer.removeListener(IPC_CHANNELS.event, listener)
  },
  pickPath(kind: string): Promise<string | null> {
    if (!pickKinds.has(kind)) return Promise.resolve(null)
    return ipcRenderer.invoke(IPC_CHANNELS.pickPath, kind)
  },
  savePdf(html: string, paper: string): Promise<string | null> {
    return ipcRenderer.invoke(IPC_CHANNELS.savePdf, String(html), paper === 'Letter' ? 'Letter' : 'A4')
  },
} satisfies DesktopBridge)
