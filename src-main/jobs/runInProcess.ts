import type { JobKind, JobParams, JobResult } from '../common/contract/jobs'
import type { Workspace } from '../core/store/workspace'
import { loadPublicJob } from './kinds'

/**
 * Runs a job in this process (the CLI, which is already a separate process from any UI), with the
 * same function, parameter check and progress contract as the job host.
 */
export async function runJobInProcess<K extends JobKind>(ws: Workspace, kind: K, params: JobParams<K>, progress: (f: number, msg: string) => void, signal: AbortSignal): Promise<JobResult<K>> {
  const run = await loadPublicJob(kind, params)
  return run({ ws, progress, signal })
}
