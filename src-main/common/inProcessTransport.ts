import type { Transport } from './client'
import type { DispatchResult } from './dispatch'
import type { AppEvent } from './contract/events'

/**
 * The in-process transport (tests, headless tools). Arguments and results go through a JSON round
 * trip, as over IPC or HTTP, so a test that passes here cannot rely on sharing objects by reference.
 */
export function inProcessTransport(dispatch: (m: unknown, a: unknown) => Promise<DispatchResult>, subscribe: (cb: (e: AppEvent) => void) => () => void): Transport {
  const roundTrip = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T))
  return {
    invoke: async (method, args) => roundTrip(await dispatch(method, roundTrip(args))),
    onEvent: (cb) => subscribe((e) => cb(roundTrip(e))),
  }
}
