import type { InputOf, MethodName, ResultOf } from './api'
import type { JobDto, JobKind, JobParams, JobStartArgs } from './contract/jobs'
import type { DispatchResult } from './dispatch'
import type { AppEvent } from './contract/events'
import { fromWireError } from './errors'

/** What every transport provides: one call channel and one event stream. */
export interface Transport {
  invoke(method: string, args: unknown): Promise<DispatchResult>
  onEvent(cb: (e: AppEvent) => void): () => void
}

/** A typed client over any transport; errors come back as AppError with their code. */
export class ApiClient {
  constructor(private readonly transport: Transport) {}

  async call<M extends MethodName>(method: M, args: InputOf<M>): Promise<ResultOf<M>> {
    const r = await this.transport.invoke(method, args)
    if (!r.ok) throw fromWireError(r.error)
    return r.result as ResultOf<M>
  }

  /** `jobs.start` typed by kind: the parameters are checked against `JobParams<K>` here and the kind's schema there. */
  async startJob<K extends JobKind>(kind: K, params: JobParams<K>, title?: string): Promise<JobDto<K>> {
    // The union JobStartArgs cannot follow a generic K; the job comes back with the kind it was started as.
    return (await this.call('jobs.start', { kind, params, title } as JobStartArgs)) as JobDto<K>
  }

  onEvent(cb: (e: AppEvent) => void): () => void {
    return this.transport.onEvent(cb)
  }
}
