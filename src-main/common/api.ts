import { s, type Infer, type Schema } from './schema'
import type { AppInfo, DatasetDto, DatasetItemDto, JobDto, ModelDto, WorkspaceSummary } from './dto'
import type { EvalRunInfo } from '../core/eval/evalStore'
import type { MleResult } from '../core/eval/mleBreakdown'
import type { QuestionAnswers } from '../core/eval/questionTable'
import type { VqaCategoryResult } from '../core/eval/vqaCategories'
import type { SpearmanMatrix } from '../core/eval/categorySpearman'
import type { BinSummary } from '../core/eval/types'
import type { MixtureTableSummary } from '../core/mix/mixtureStore'
import type { MixtureAnalysis } from '../core/mix/analyseMixture'
import type { MixtureTable } from '../core/mix/table'

/**
 * The one contract between the UI and the backend. Every method is named here with the schema of its
 * arguments (validated at the boundary) and the type of its result. Transports (in-process, Electron
 * IPC, loopback HTTP) carry `(method, args)` pairs and never add methods of their own.
 */
interface MethodSpec<A, R> {
  args: Schema<A>
  /** Phantom field carrying the result type; never set at run time. */
  result?: R
}

function method<A>(args: Schema<A>) {
  return { returns: <R>(): MethodSpec<A, R> => ({ args }) }
}

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

export const JOB_KINDS = ['extract', 'align', 'sweep', 'demo', 'report', 'umap', 'colour', 'selftest'] as const
export type JobKind = (typeof JOB_KINDS)[number]

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
  'jobs.start': method(s.object({ kind: s.literal(...JOB_KINDS), params: s.optional(s.json()), title: s.optional(s.string({ max: 200 })) })).returns<JobDto>(),
  'jobs.cancel': method(s.object({ id })).returns<JobDto>(),

  'demo.open': method(s.object({})).returns<WorkspaceSummary>(),

  'eval.import': method(
    s.object({
      paths: s.array(path, { max: 200 }),
      format: s.optional(s.literal('auto', 'lmms-eval', 'vlmevalkit', 'cambrian', 'jsonl')),
      models: s.optional(s.array(s.string({ min: 1, max: 200 }))),
      benchmark: s.optional(path),
      verdict: s.optional(s.literal('reparse', 'file')),
    }),
  ).returns<{ runs: (EvalRunInfo & { cached: boolean })[] }>(),
  'eval.list': method(s.object({})).returns<EvalRunInfo[]>(),
  'eval.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'eval.breakdown': method(s.object({ ids: s.array(id, { max: 100 }) })).returns<MleResult>(),
  'eval.questions': method(
    s.object({ ids: s.array(id, { max: 100 }), disagreementsOnly: s.optional(s.boolean()), bin: s.optional(s.literal('0-30', '30-60', '60-100')) }),
  ).returns<QuestionAnswers[]>(),
  /** The papers' published tables bundled with the app (sample data for the MLE-Bench view). */
  'eval.paper': method(s.object({})).returns<{
    frontier: (BinSummary & { published_overall: number | null })[]
    frontierBreakdown: MleResult
    categories: Record<string, string[]>
    paperSpearman: { categories: string[]; rho: number[][] }
    results7b: { model: string; scores: Record<string, number | null> }[]
    source: string
  }>(),
  /** Per-benchmark scores → the four VQA categories per model, plus their Spearman matrix across models. */
  'eval.vqa': method(
    s.object({ models: s.array(s.object({ name: s.string({ min: 1, max: 200 }), scores: s.record(s.number()) }), { max: 1000 }) }),
  ).returns<{ perModel: (VqaCategoryResult & { name: string })[]; spearman: SpearmanMatrix | null; spearmanError: string | null }>(),

  'mix.import': method(s.object({ path })).returns<MixtureTableSummary>(),
  'mix.list': method(s.object({})).returns<MixtureTableSummary[]>(),
  'mix.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'mix.analyse': method(
    s.object({
      id,
      target: s.optional(s.string({ max: 200 })),
      x: s.optional(s.string({ max: 200 })),
      y: s.optional(s.string({ max: 200 })),
      sourcesId: s.optional(id),
      directions: s.optional(s.record(s.literal('higher', 'lower'))),
      method: s.optional(s.literal('mean-rank', 'weighted-score')),
      weights: s.optional(s.record(s.number({ min: 0 }))),
      resamples: s.optional(s.number({ int: true, min: 0, max: 5000 })),
      seed: s.optional(s.number({ int: true })),
    }),
  ).returns<{ summary: MixtureTableSummary; table: Pick<MixtureTable, 'columns' | 'numeric' | 'rows' | 'name'>; analysis: MixtureAnalysis }>(),
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
