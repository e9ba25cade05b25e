/**
 * The desktop window's bridge: what the preload exposes as `window.platonic` and the IPC channels it
 * uses. Only the AppApi travels through `invoke`; the two native helpers exist only on the desktop.
 */
import type { Paper } from './report'

/** Channels of the preload bridge; nothing else is exposed to the page. */
export const IPC_CHANNELS = {
  invoke: 'platonic:invoke',
  event: 'platonic:event',
  pickPath: 'platonic:pick-path',
  savePdf: 'platonic:save-pdf',
} as const

/** What the native file picker can be asked for. */
export const PICK_KINDS = ['model-file', 'model-folder', 'dataset-file', 'dataset-folder', 'folder'] as const
export type PickKind = (typeof PICK_KINDS)[number]

/** `window.platonic`, present only in the desktop window. */
export interface DesktopBridge {
  invoke(method: string, args: unknown): Promise<unknown>
  onEvent(cb: (e: unknown) => void): () => void
  /** The path the user chose in a native dialog, or null when cancelled. */
  pickPath(kind: PickKind): Promise<string | null>
  /** Prints the HTML to a PDF where the user chooses; the saved path, or null when cancelled. */
  savePdf(html: string, paper: Paper): Promise<string | null>
}
