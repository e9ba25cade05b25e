import { s, type Infer } from './schema'
import { method, type MethodSpec } from './apiMethod'
import { EVAL_API } from './apiSpecs/eval'
import { MIX_API } from './apiSpecs/mix'
import { ALIGN_API } from './apiSpecs/align'
import { VIEWS_API } from './apiSpecs/views'
import { JOB_START_ARGS, type JobDto } from './contract/jobs'
import type { AppInfo, DatasetDto, DatasetItemDto, ModelDto, WorkspaceSummary } from './contract/registry'

/**
 * The one contract between the UI and the backend. Every method is named here (or in apiSpecs/, spread
 * in below) with the schema of its arguments (validated at the boundary) and the type of its result;
 * those types are defined in contract/. Transports (in-process, Electron IPC, loopback HTTP)
 * carry `(method, args)` pairs and never add methods of their own.
 */

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

export const API = {
  'app.info': method(s.object({})).returns<AppInfo>(),

  'workspace.summary': method(s.object({})).returns<WorkspaceSummary>(),

  'models.list': method(s.object({})).returns<ModelDto[]>(),
  'models.add': method(s.object({ path, name: s.optional(s.string({ min: 1, max: 200 })) })).returns<ModelDto>(),
  'models.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'models.update': method(
    s.object({
      id,
      name: s.optional(s.string({ min: 1, max: 200 })),
      tags: s.optional(s.record(s.string({ max: 200 }))),
      capabilities: s.optional(s.record(s.number())),
    }),
  ).returns<ModelDto>(),

  'datasets.list': method(s.object({})).returns<DatasetDto[]>(),
  'datasets.add': method(s.object({ path, name: s.optional(s.string({ min: 1, max: 200 })) })).returns<DatasetDto>(),
  'datasets.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'datasets.items': method(s.object({ id, offset: s.optional(s.number({ int: true, min: 0 })), limit: s.optional(s.number({ int: true, min: 1, max: 100_000 })) })).returns<{
    total: number
    items: DatasetItemDto[]
  }>(),

  'jobs.list': method(s.object({})).returns<JobDto[]>(),
  'jobs.get': method(s.object({ id })).returns<JobDto>(),
  /** Kinds, their parameters and results: contract/jobs.ts (ApiClient.startJob types them by kind). */
  'jobs.start': method(JOB_START_ARGS).returns<JobDto>(),
  'jobs.cancel': method(s.object({ id })).returns<JobDto>(),

  'demo.open': method(s.object({})).returns<WorkspaceSummary>(),

  ...ALIGN_API,
  ...EVAL_API,
  ...MIX_API,
  ...VIEWS_API,
} as const

export type ApiSpec = typeof API
export type MethodName = keyof ApiSpec
export type ArgsOf<M extends MethodName> = ApiSpec[M] extends MethodSpec<infer A, unknown> ? A : never
export type ResultOf<M extends MethodName> = ApiSpec[M] extends MethodSpec<unknown, infer R> ? R : never
/** Input type for callers: optional keys may be omitted. */
export type InputOf<M extends MethodName> = Infer<ApiSpec[M]['args']>

/** What the backend implements: one async function per method. */
export type AppApi = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> }

export const METHOD_NAMES = Object.keys(API) as MethodName[]

export function isMethodName(m: unknown): m is MethodName {
  return typeof m === 'string' && Object.prototype.hasOwnProperty.call(API, m)
}
