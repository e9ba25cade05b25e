import type { Workspace } from '../core/store/workspace'
import type { JobFn } from './context'
import { loadJob } from './kinds'

/**
 * Runs a job in this process (the CLI, which is already a separate process from any UI), with the
 * same function, parameters and progress contract as the job host.
 */
export async function runJobInProcess(ws: Workspace, kind: string, params: unknown, progress: (f: number, msg: string) => void, signal: AbortSignal): Promise<unknown> {
  const fn: JobFn = await loadJob(kind)
  return fn({ ws, params, progress, signal })
}
