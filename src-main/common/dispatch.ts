import { API, isMethodName, type AppApi, type MethodName } from './api'
import { AppError, toWireError, type WireError } from './errors'
import { SchemaError } from './schema'

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: WireError }

/**
 * Validates a call that arrived from any transport and runs it. `unknown` in: the method name must be
 * in the contract and the arguments must match its schema, else UNKNOWN_METHOD / BAD_INPUT; errors
 * thrown by the implementation are mapped to the closed set of codes. Never throws.
 */
export function createDispatcher(impl: AppApi): (method: unknown, args: unknown) => Promise<DispatchResult> {
  return async (method, args) => {
    try {
      if (!isMethodName(method)) throw new AppError('UNKNOWN_METHOD', `unknown method ${JSON.stringify(method)}`)
      let parsed: unknown
      try {
        parsed = API[method].args.parse(args, '')
      } catch (e) {
        if (e instanceof SchemaError) throw new AppError('BAD_INPUT', `${method}: ${e.message}`)
        throw e
      }
      const fn = impl[method as MethodName] as (a: unknown) => Promise<unknown>
      const result = await fn.call(impl, parsed)
      return { ok: true, result: result === undefined ? null : result }
    } catch (e) {
      return { ok: false, error: toWireError(e) }
    }
  }
}
