import type { MethodName, ResultOf } from '../api'
import type { AppEvent } from './events'
import type { JobKind, JobResult } from './jobs'

/**
 * Every result of the AppApi, every job's result and every event is plain JSON: the HTTP transport
 * serialises them, so a typed array, a Date, a Map or a function in one of these types would reach the
 * browser as something else than the type says. `NotJson<T, path>` names the offending paths; the
 * assertion below fails the type check, naming them, when there is one.
 */
type Leaf = string | number | boolean | null | undefined
type Opaque = ArrayBufferView | ArrayBuffer | Date | Map<unknown, unknown> | Set<unknown> | ((...args: never[]) => unknown)

type NotJson<T, Path extends string> = unknown extends T
  ? never
  : T extends Leaf
    ? never
    : T extends Opaque
      ? Path
      : T extends readonly (infer U)[]
        ? NotJson<U, `${Path}[]`>
        : T extends object
          ? { [K in keyof T & string]-?: NotJson<T[K], `${Path}.${K}`> }[keyof T & string]
          : Path

type Offending =
  | { [M in MethodName]: NotJson<ResultOf<M>, M> }[MethodName]
  | { [K in JobKind]: NotJson<JobResult<K>, `job ${K}`> }[JobKind]
  | NotJson<AppEvent, 'event'>

export const EVERY_RESULT_IS_JSON: [Offending] extends [never] ? true : Offending = true
