import type { Schema } from './schema'

/** One method of the contract: the schema of its arguments and (as a phantom) its result type. */
export interface MethodSpec<A, R> {
  args: Schema<A>
  /** Phantom field carrying the result type; never set at run time. */
  result?: R
}

export function method<A>(args: Schema<A>) {
  return { returns: <R>(): MethodSpec<A, R> => ({ args }) }
}
