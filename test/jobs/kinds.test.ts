import { describe, expect, expectTypeOf, it } from 'vitest'
import type { ApiClient } from '../../src-main/common/client'
import type { ExtractResult } from '../../src-main/common/contract/features'
import {
  finishedJob,
  JOB_KINDS,
  JOB_START_ARGS,
  parseJobParams,
  type ColourResult,
  type DemoResult,
  type EvaluateJobResult,
  type ExtractParams,
  type JobDto,
  type JobKind,
  type JobParams,
  type JobResult,
  type ReportResult,
  type SweepParams,
  type SweepResult,
  type UmapResult,
} from '../../src-main/common/contract/jobs'
import { isInternalJobKind, loadJob, loadPublicJob } from '../../src-main/jobs/kinds'
import { expectBadInput } from '../helpers/badInput'

/** A job DTO as the backend sends it, for the kind and result given. */
function dto(kind: string, state: JobDto['state'], result: unknown): JobDto {
  return { id: 'job_1', kind, title: kind, state, fraction: 1, message: '', etaSeconds: null, error: null, result, createdAt: '', startedAt: null, finishedAt: null } as JobDto
}

describe('the job contract (common/contract/jobs.ts)', () => {
  it('names each kind with its parameters and result types', () => {
    expectTypeOf<JobKind>().toEqualTypeOf<'extract' | 'sweep' | 'demo' | 'report' | 'umap' | 'colour' | 'evaluate'>()
    expectTypeOf<JobParams<'extract'>>().toEqualTypeOf<ExtractParams>()
    expectTypeOf<JobParams<'sweep'>>().toEqualTypeOf<SweepParams>()
    expectTypeOf<JobResult<'extract'>>().toEqualTypeOf<ExtractResult>()
    expectTypeOf<JobResult<'sweep'>>().toEqualTypeOf<SweepResult>()
    expectTypeOf<JobResult<'demo'>>().toEqualTypeOf<DemoResult>()
    expectTypeOf<JobResult<'report'>>().toEqualTypeOf<ReportResult>()
    expectTypeOf<JobResult<'umap'>>().toEqualTypeOf<UmapResult>()
    expectTypeOf<JobResult<'colour'>>().toEqualTypeOf<ColourResult>()
    expectTypeOf<JobResult<'evaluate'>>().toEqualTypeOf<EvaluateJobResult>()
    // The DTO's result follows its kind once the kind is narrowed.
    const j = dto('umap', 'done', { map: 'map_1', cached: false })
    if (j.kind === 'umap') expectTypeOf(j.result).toEqualTypeOf<UmapResult | null>()
    // The typed client: parameters checked by kind, the DTO typed by kind.
    expectTypeOf<ApiClient['startJob']>().toBeFunction()
    const start = (c: ApiClient) => c.startJob('sweep', { modelIds: ['a', 'b'], datasetId: 'd' })
    expectTypeOf(start).returns.resolves.toEqualTypeOf<JobDto<'sweep'>>()
    expectTypeOf<JobDto<'sweep'>['result']>().toEqualTypeOf<SweepResult | null>()
    const wrong = (c: ApiClient) => {
      // @ts-expect-error -- a test-only kind is not a JobKind
      void c.startJob('selftest', {})
      // @ts-expect-error -- extract needs modelId and datasetId
      void c.startJob('extract', { modelId: 'm' })
      // @ts-expect-error -- batch is a number
      void c.startJob('extract', { modelId: 'm', datasetId: 'd', batch: '4' })
    }
    expect(typeof wrong).toBe('function')
  })

  it('lists only kinds with a job behind them, and no test-only kind', () => {
    expect(JOB_KINDS).toEqual(['extract', 'sweep', 'demo', 'report', 'umap', 'colour', 'evaluate'])
    expect(JOB_KINDS).not.toContain('align')
    expect(JOB_KINDS).not.toContain('selftest')
    expect(isInternalJobKind('selftest')).toBe(true)
    expect(isInternalJobKind('extract')).toBe(false)
  })

  it("parses jobs.start's arguments: the kind first, then its parameters, optional ones left out", () => {
    expect(JOB_START_ARGS.parse({ kind: 'umap', params: { modelId: 'm', datasetId: 'd', seed: null, sample: { mode: 'random', size: 10 } } }, '')).toEqual({
      kind: 'umap',
      params: { modelId: 'm', datasetId: 'd', sample: { mode: 'random', size: 10 } },
    })
    // No parameters at all is an empty object: fine for demo, a missing field for the others.
    expect(JOB_START_ARGS.parse({ kind: 'demo', title: 'Demo' }, '')).toEqual({ kind: 'demo', params: {}, title: 'Demo' })
    expect(() => JOB_START_ARGS.parse({ kind: 'report' }, '')).not.toThrow()
    expect(() => JOB_START_ARGS.parse({ kind: 'evaluate' }, '')).toThrow('params.modelPath: expected a string, got undefined')
    // Under a path (a schema nested elsewhere) the field names carry it.
    expect(() => JOB_START_ARGS.parse({ kind: 'sweep', params: { modelIds: [1], datasetId: 'd' } }, 'job')).toThrow('job.params.modelIds[0]: expected a string, got number')
    expect(() => JOB_START_ARGS.parse('extract', '')).toThrow('arguments: expected an object, got string')
    expect(() => JOB_START_ARGS.parse({ kind: 'extract', params: {}, priority: 1 }, '')).toThrow('priority: unknown argument')
    expect(parseJobParams('colour', { k: 19 })).toEqual({ k: 19 })
    expect(() => parseJobParams('colour', { k: 20 })).toThrow('params.k: must be <= 19, got 20')
  })

  it('gives a finished job its typed result only for its own kind and once it is done', () => {
    const done = dto('colour', 'done', { run: 'colour_1', seconds: 2 })
    const typed = finishedJob(done, 'colour')
    expect(typed?.result).toEqual({ run: 'colour_1', seconds: 2 })
    expectTypeOf(typed!.result).toEqualTypeOf<ColourResult>()
    expect(finishedJob(done, 'umap')).toBeNull()
    expect(finishedJob(dto('colour', 'running', null), 'colour')).toBeNull()
    expect(finishedJob(dto('colour', 'failed', null), 'colour')).toBeNull()
  })
})

describe('the job registry (src-main/jobs/kinds.ts)', () => {
  it('checks parameters in the job host too, naming the kind and the field', async () => {
    await expectBadInput(() => loadPublicJob('extract', { datasetId: 'd' }), /^extract job: params\.modelId: expected a string, got undefined$/)
    await expectBadInput(() => loadJob('umap', { modelId: 'm', datasetId: 'd', nNeighbors: 1 }), /^umap job: params\.nNeighbors: must be >= 2, got 1$/)
    await expectBadInput(() => loadJob('selftest', { seconds: 'long' }), /^selftest job: params\.seconds: expected a finite number, got string$/)
  })

  it('refuses a kind it has no job for', async () => {
    for (const kind of ['align', 'nope', '__proto__', 'toString']) await expectBadInput(() => loadJob(kind, {}), new RegExp(`^unknown job kind "${kind}"$`))
  })

  it('runs an internal kind with its checked parameters and progress', async () => {
    const job = await loadJob('selftest', { seconds: 0 })
    const fractions: number[] = []
    const result = await job({ ws: null as never, progress: (f) => fractions.push(f), signal: new AbortController().signal })
    expect(result).toEqual({ steps: 20, seconds: 0 })
    expect(fractions).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) / 20))
  })
})
