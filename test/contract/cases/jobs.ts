import { expect } from 'vitest'
import { finishedJob, type JobDto, type JobStartArgs } from '../../../src-main/common/contract/jobs'
import { ended, ISO_TIME, type Cases, type Harness } from '../harness'

const JOB_SHAPE = {
  id: expect.stringMatching(/^job_[0-9a-f]+$/),
  kind: expect.any(String),
  title: expect.any(String),
  state: expect.stringMatching(/^(queued|running|done|failed|cancelled)$/),
  fraction: expect.any(Number),
  message: expect.any(String),
  etaSeconds: null,
  error: null,
  result: expect.anything(),
  createdAt: ISO_TIME,
  startedAt: ISO_TIME,
  finishedAt: ISO_TIME,
}

/** What two runs of the same job share: everything but identity, timing and progress. */
const sameJob = (j: JobDto): Partial<JobDto> => ({ kind: j.kind, title: j.title, state: j.state, error: j.error })

/** An extraction small enough to run twice: the scratch model on the first 16 captions. */
function smallExtract(h: Harness): Extract<JobStartArgs, { kind: 'extract' }> {
  return { kind: 'extract' as const, params: { modelId: h.scratchModel.id, datasetId: h.dataset.id, limit: 16 }, title: 'contract: extract 16 items' }
}

/** A sweep that runs for seconds (calibration permutations on stored features), to be cancelled. */
function longSweep(h: Harness): Extract<JobStartArgs, { kind: 'sweep' }> {
  return {
    kind: 'sweep' as const,
    params: { modelIds: [h.model('vit-tiny').id, h.model('gpt-tiny').id], datasetId: h.dataset.id, metrics: ['cka'], calibrate: 10_000, seed: 7 },
    title: 'contract: long sweep',
  }
}

/** Jobs: each runs in a job-host process; its progress comes back as events over the transport that started it. */
export const JOB_CASES: Cases<'jobs.start' | 'jobs.get' | 'jobs.list' | 'jobs.cancel'> = {
  'jobs.start': async (h) => {
    const args = smallExtract(h)
    let first: JobDto | undefined
    const [a, b] = await h.both('jobs.start', args, {
      normalise: sameJob,
      between: async (started) => {
        first = await h.waitForJob(h.inProcess, started.id, ended)
      },
    })
    expect(a).toEqual({ ...JOB_SHAPE, kind: 'extract', title: args.title, state: 'running', fraction: 0, message: '', result: null, finishedAt: null })
    expect(b.id).not.toBe(a.id)
    const second = await h.waitForJob(h.http, b.id, ended)
    expect(first).toEqual({ ...JOB_SHAPE, id: a.id, kind: 'extract', title: args.title, state: 'done', fraction: 1, message: 'done' })
    expect(second).toMatchObject({ id: b.id, state: 'done' })
    // The second run finds the first one's features in the workspace.
    expect(first!.result).toMatchObject({ n: 16, layers: expect.any(Array), cached: false })
    expect(second.result).toMatchObject({ n: 16, feature_set: finishedJob(first!, 'extract')!.result.feature_set, cached: true })

    // Only public kinds start (not the job host's internal self test, nor a kind with no job), and their
    // parameters are checked by kind before anything is recorded or forked.
    const before = (await h.inProcess.call('jobs.list', {})).length
    for (const kind of ['nope', 'selftest', 'align']) {
      expect(await h.sameError('jobs.start', { kind, params: {} })).toEqual({ code: 'BAD_INPUT', message: expect.stringMatching(new RegExp(`^jobs\\.start: kind: expected one of extract, .*, got "${kind}"$`)) })
    }
    expect(await h.sameError('jobs.start', { kind: 'extract', params: { datasetId: h.dataset.id } })).toEqual({ code: 'BAD_INPUT', message: 'jobs.start: params.modelId: expected a string, got undefined' })
    expect(await h.sameError('jobs.start', { kind: 'sweep', params: { ...longSweep(h).params, metrics: ['cosine'] } })).toEqual({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^jobs\.start: params\.metrics\[0\]: expected one of mutual_knn, .*, got "cosine"$/),
    })
    expect((await h.inProcess.call('jobs.list', {})).length).toBe(before)
    expect(await h.sameError('jobs.start', { kind: 'extract', title: 'x'.repeat(201) })).toEqual({ code: 'BAD_INPUT', message: 'jobs.start: title: longer than 200 characters' })
  },

  'jobs.get': async (h) => {
    const [job] = (await h.inProcess.call('jobs.list', {})).filter((j) => j.state === 'done')
    const got = await h.same('jobs.get', { id: job!.id })
    expect(got).toEqual({ ...JOB_SHAPE, ...job, state: 'done', result: expect.anything() })
    expect(await h.sameError('jobs.get', { id: 'job_0000' })).toEqual({ code: 'NOT_FOUND', message: 'no job job_0000' })
  },

  'jobs.list': async (h) => {
    const list = await h.same('jobs.list', {})
    expect(list.length).toBeGreaterThan(0)
    for (const j of list) expect(j).toEqual({ ...JOB_SHAPE, result: expect.anything() })
    // Newest first.
    expect(list.map((j) => j.createdAt)).toEqual([...list.map((j) => j.createdAt)].sort().reverse())
    expect((await h.sameError('jobs.list', { state: 'running' })).message).toBe('jobs.list: state: unknown argument')
  },

  'jobs.cancel': async (h) => {
    // A running job per transport: the answer says it is stopping, the job then ends cancelled.
    const cancelled: JobDto[] = []
    const answers: JobDto[] = []
    for (const client of [h.inProcess, h.http]) {
      const job = await client.call('jobs.start', longSweep(h))
      const progressed = h.waitForJob(client, job.id, (j) => j.message !== '' || ended(j))
      expect((await progressed).state).toBe('running')
      const done = h.waitForJob(client, job.id, ended)
      answers.push(await client.call('jobs.cancel', { id: job.id }))
      cancelled.push(await done)
    }
    for (const a of answers) expect({ ...a, etaSeconds: null }).toEqual({ ...JOB_SHAPE, kind: 'sweep', title: 'contract: long sweep', state: 'running', message: 'cancelling…', result: null, finishedAt: null })
    for (const c of cancelled) expect(c).toEqual({ ...JOB_SHAPE, id: c.id, kind: 'sweep', state: 'cancelled', message: 'cancelled', result: null })
    // Cancelling a job that has ended changes nothing.
    const again = await h.same('jobs.cancel', { id: cancelled[0]!.id })
    expect(again).toEqual(cancelled[0])
    expect(await h.sameError('jobs.cancel', { id: 'job_0000' })).toMatchObject({ code: 'NOT_FOUND' })
  },
}
