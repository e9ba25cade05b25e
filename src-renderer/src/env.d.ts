/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

/** The preload's bridge, present only in the desktop window. */
interface PlatonicBridge {
  invoke(method: string, args: unknown): Promise<unknown>
  onEvent(cb: (e: unknown) => void): () => void
  /** Native dialogs and printing that only the desktop shell offers. */
  pickPath(kind: 'model-file' | 'model-folder' | 'dataset-file' | 'dataset-folder' | 'folder'): Promise<string | null>
  savePdf(html: string, paper: 'A4' | 'Letter'): Promise<string | null>
}

interface Window {
  platonic?: PlatonicBridge
}
