import { isJobKind, parseJobParams, type JobKind, type JobParams, type JobResult } from '../common/contract/jobs'
import { AppError } from '../common/errors'
import { SchemaError, type Schema } from '../common/schema'
import type { JobContext, JobFn, JobFnOf } from './context'
import { SELFTEST_PARAMS, selftest } from './selftest'

/**
 * Job kinds and where their code lives. Imports are lazy so a job host only loads what its job needs
 * (onnxruntime for extraction, ECharts and Chromium for reports).
 */
const LOADERS: { [K in JobKind]: () => Promise<JobFn<K>> } = {
  extract: async () => (await import('./extractJob')).extractJob,
  sweep: async () => (await import('./sweepJob')).sweepJob,
  demo: async () => (await import('./demoJob')).demoJob,
  umap: async () => (await import('./umapJob')).umapJob,
  colour: async () => (await import('./colourJob')).colourJob,
  report: async () => (await import('./reportJob')).reportJob,
  evaluate: async () => (await import('./evaluateJob')).evaluateJob,
}

/** A job's function with its checked parameters bound: what the job host and the CLI run. */
export type BoundJob<R = unknown> = (ctx: Omit<JobContext, 'params'>) => Promise<R>

/**
 * Kinds that only tests start (`JobManager.startInternal`): they are not in the contract, so `jobs.start`
 * refuses them; their schemas live beside their code.
 */
const INTERNAL_JOBS: Record<string, (params: unknown) => BoundJob> = {
  selftest: bindInternal('selftest', SELFTEST_PARAMS, selftest),
}

function bindInternal<P, R>(kind: string, schema: Schema<P>, fn: JobFnOf<P, R>): (params: unknown) => BoundJob {
  return (params) => {
    const p = checked(kind, () => schema.parse(params, 'params'))
    return (ctx) => fn({ ...ctx, params: p })
  }
}

function checked<T>(kind: string, parse: () => T): T {
  try {
    return parse()
  } catch (e) {
    if (e instanceof SchemaError) throw new AppError('BAD_INPUT', `${kind} job: ${e.message}`)
    throw e
  }
}

/** A public kind's parameters checked against its schema: BAD_INPUT naming the field (`extract job: params.modelId: …`). */
export function checkJobParams<K extends JobKind>(kind: K, params: unknown): JobParams<K> {
  return checked(kind, () => parseJobParams(kind, params))
}

/** A public kind's function with its checked parameters bound. */
export async function loadPublicJob<K extends JobKind>(kind: K, params: unknown): Promise<BoundJob<JobResult<K>>> {
  const p = checkJobParams(kind, params)
  const fn = await LOADERS[kind]()
  return (ctx) => fn({ ...ctx, params: p })
}

/** Any kind the job host runs: public or internal. */
export async function loadJob(kind: string, params: unknown): Promise<BoundJob> {
  if (isJobKind(kind)) return loadPublicJob(kind, params)
  const bind = Object.prototype.hasOwnProperty.call(INTERNAL_JOBS, kind) ? INTERNAL_JOBS[kind] : undefined
  if (!bind) throw new AppError('BAD_INPUT', `unknown job kind ${JSON.stringify(kind)}`)
  return bind(params)
}

export function isInternalJobKind(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(INTERNAL_JOBS, kind)
}
