import { AppError, badArg } from '../../common/errors'
import type { KernelBackend } from './backend'
import { createReferenceBackend } from './referenceBackend'

export type BackendChoice = 'auto' | 'reference' | 'onnx'
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'reference', 'onnx']

type Factory = () => Promise<KernelBackend>
let registered: Factory | null = null

/** Tests may swap the ONNX factory (e.g. to simulate a runtime that fails to load). */
export function registerOnnxBackend(factory: Factory | null): void {
  registered = factory
}

async function loadOnnxFactory(): Promise<Factory> {
  if (registered) return registered
  // Loaded on demand so commands that never align do not load the kernel graphs.
  return (await import('../onnx/kernels/index')).createOrtBackend
}

/**
 * The one place that picks the alignment kernel backend: 'onnx' requires the ONNX Runtime kernels,
 * 'reference' is the float64 TypeScript implementation, 'auto' (default) tries ONNX and falls back
 * to the reference when it does not load. `note` says why auto fell back.
 */
export async function chooseBackend(choice: BackendChoice = 'auto'): Promise<{ backend: KernelBackend; note: string | null }> {
  if (!BACKEND_CHOICES.includes(choice)) throw badArg('backend', `unknown backend "${choice}"; choose auto, reference or onnx`)
  if (choice === 'reference') return { backend: createReferenceBackend(), note: null }
  try {
    const factory = await loadOnnxFactory()
    return { backend: await factory(), note: null }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    if (choice === 'onnx') throw new AppError('UNAVAILABLE', `backend onnx: the ONNX Runtime kernels could not be loaded (${msg})`, 'backend')
    return { backend: createReferenceBackend(), note: `ONNX Runtime kernels unavailable (${msg}); using the reference backend` }
  }
}
