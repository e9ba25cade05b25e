import type { InputOf, MethodName, ResultOf } from './api'
import type { DispatchResult } from './dispatch'
import type { AppEvent } from './dto'
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

  onEvent(cb: (e: AppEvent) => void): () => void {
    return this.transport.onEvent(cb)
  }
}
