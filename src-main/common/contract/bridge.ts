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

/** What the native file picker can be asked for: a kind ending in `-folder` (or `folder`) picks a folder, the others a file. */
export const PICK_KINDS = ['model-file', 'model-folder', 'dataset-file', 'dataset-folder', 'folder', 'eval-file', 'mixture-file'] as const
export type PickKind = (typeof PICK_KINDS)[number]

/**
 * The file dialog's filter per file kind: the extensions its importer reads (the model registry, the
 * dataset readers, `eval.import`'s readEvalFile, `mix.import`'s readTable).
 */
export const PICK_FILE_FILTERS = {
  'model-file': { name: 'ONNX model', extensions: ['onnx'] },
  'dataset-file': { name: 'Dataset', extensions: ['jsonl', 'csv', 'txt'] },
  'eval-file': { name: 'Evaluation output', extensions: ['jsonl', 'json', 'xlsx', 'tsv', 'csv'] },
  'mixture-file': { name: 'Mixture table', extensions: ['csv', 'tsv', 'txt', 'json', 'xlsx'] },
} as const satisfies Partial<Record<PickKind, { name: string; extensions: readonly string[] }>>

/** The open dialog's filters for a kind: none for a folder or a kind this bridge does not know. */
export function pickFilters(kind: string): { name: string; extensions: string[] }[] | undefined {
  const f = (PICK_FILE_FILTERS as Record<string, { name: string; extensions: readonly string[] } | undefined>)[kind]
  return f ? [{ name: f.name, extensions: [...f.extensions] }] : undefined
}

/** `window.platonic`, present only in the desktop window. */
export interface DesktopBridge {
  invoke(method: string, args: unknown): Promise<unknown>
  onEvent(cb: (e: unknown) => void): () => void
  /** The path the user chose in a native dialog, or null when cancelled. */
  pickPath(kind: PickKind): Promise<string | null>
  /** Prints the HTML to a PDF where the user chooses; the saved path, or null when cancelled. */
  savePdf(html: string, paper: Paper): Promise<string | null>
}
