import type { JobKind, JobParams, JobResult } from '../common/contract/jobs'
import type { Workspace } from '../core/store/workspace'

/** What a long-running job gets: the workspace, its parameters, a progress sink and a cancel signal. */
export interface JobContext<P = unknown> {
  ws: Workspace
  params: P
  /** fraction in [0, 1]; the host throttles, adds an ETA and forwards to the UI. */
  progress(fraction: number, message: string): void
  signal: AbortSignal
}

export type JobFnOf<P, R> = (ctx: JobContext<P>) => Promise<R>

/** A job's function: its parameters already checked against the kind's schema, its result as the contract names it. */
export type JobFn<K extends JobKind> = JobFnOf<JobParams<K>, JobResult<K>>

/** Throws CANCELLED when the job has been asked to stop; call between batches. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) {
    const e = new Error('cancelled by the user')
    e.name = 'AppError'
    ;(e as Error & { code: string }).code = 'CANCELLED'
    throw e
  }
}
