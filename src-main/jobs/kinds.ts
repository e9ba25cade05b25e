import { AppError } from '../common/errors'
import type { JobFn } from './context'

/**
 * Job kinds and where their code lives. Imports are lazy so a job host only loads what its job needs
 * (onnxruntime for extraction, ECharts and Chromium for reports).
 */
const LOADERS: Record<string, () => Promise<JobFn>> = {
  selftest: async () => (await import('./selftest')).selftest,
  extract: async () => (await import('./extractJob')).extractJob,
  sweep: async () => (await import('./sweepJob')).sweepJob,
  demo: async () => (await import('./demoJob')).demoJob,
  umap: async () => (await import('./umapJob')).umapJob,
  colour: async () => (await import('./colourJob')).colourJob,
  report: async () => (await import('./reportJob')).reportJob,
  evaluate: async () => (await import('./evaluateJob')).evaluateJob,
}

export async function loadJob(kind: string): Promise<JobFn> {
  const loader = LOADERS[kind]
  if (!loader) throw new AppError('BAD_INPUT', `unknown job kind ${JSON.stringify(kind)}`)
  return loader()
}

export function hasJobKind(kind: string): boolean {
  return kind in LOADERS
}
