import path from 'node:path'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { MAX_RUNNING_JOBS } from '../../src-main/backend/jobManager'
import { ApiClient, type Transport } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import { finishedJob, JOB_KINDS, type JobDto } from '../../src-main/common/contract/jobs'
import type { ExtractResult } from '../../src-main/common/contract/features'
import type { AppEvent } from '../../src-main/common/contract/events'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { startServer, type RunningServer } from '../../src-main/server/httpServer'
import { BROKEN_MODELS, MODELS, SHAPES, REPO_ROOT } from '../helpers/fixtures'
import { nodeHttpTransport } from '../helpers/httpTransport'
import { tmpDir } from '../helpers/tmp'
import { failureOf as codeOf } from './harness'

/**
 * One contract suite, run over every transport that can run here: in-process and loopback HTTP.
 * (Electron IPC carries the same (method, args) pairs through the same dispatcher.)
 */
interface Harness {
  client: ApiClient
  backend: Backend
  close(): Promise<void>
}

async function inProcess(): Promise<Harness> {
  const t = tmpDir()
  const backend = new Backend({ dataDir: t.dir, mode: 'in-process', cancelGraceMs: 3000 })
  const transport: Transport = inProcessTransport(createDispatcher(backend.api), (cb) => backend.subscribe(cb))
  return { client: new ApiClient(transport), backend, close: async () => (backend.close(), t.cleanup()) }
}

async function overHttp(): Promise<Harness> {
  const t = tmpDir()
  const backend = new Backend({ dataDir: t.dir, mode: 'browser', cancelGraceMs: 3000 })
  const server: RunningServer = await startServer({
    dispatch: createDispatcher(backend.api),
    subscribe: (cb) => backend.subscribe(cb),
    staticDir: path.join(REPO_ROOT, 'src-renderer'),
  })
  const transport = nodeHttpTransport(`http://127.0.0.1:${server.port}`, server.token)
  return {
    client: new ApiClient(transport),
    backend,
    close: async () => {
      transport.close()
      await server.close()
      backend.close()
      t.cleanup()
    },
  }
}

function waitForJob(client: ApiClient, id: string, states: JobDto['state'][]): Promise<{ job: JobDto; events: AppEvent[] }> {
  const events: AppEvent[] = []
  return new Promise((resolve) => {
    const off = client.onEvent((e) => {
      events.push(e)
      if (e.type !== 'workspace.changed' && e.job.id === id && states.includes(e.job.state)) {
        off()
        resolve({ job: e.job, events })
      }
    })
  })
}

describe.each([
  ['in-process', inProcess],
  ['http', overHttp],
])('AppApi contract over %s', (_name, make) => {
  let h: Harness
  beforeAll(async () => {
    h = await make()
  })
  afterAll(async () => {
    await h.close()
  })

  it('describes the app and starts with an empty workspace', async () => {
    const info = await h.client.call('app.info', {})
    expect(info.name).toBe('Platonic Lab')
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(info.firstRun).toBe(true)
    const s = await h.client.call('workspace.summary', {})
    expect(s).toMatchObject({ models: 0, datasets: 0, isEmpty: true })
    expect(s.schemaVersion).toBeGreaterThanOrEqual(1)
  })

  it('rejects unknown methods and malformed arguments with closed error codes', async () => {
    const raw = await (h.client as unknown as { transport: Transport }).transport.invoke('models.drop', {})
    expect(raw).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: expect.stringContaining('models.drop') } })
    const bad = await codeOf(h.client.call('datasets.add', { path: 42 } as never))
    expect(bad.code).toBe('BAD_INPUT')
    expect(bad.message).toContain('path')
    const extra = await codeOf(h.client.call('models.list', { surprise: 1 } as never))
    expect(extra).toMatchObject({ code: 'BAD_INPUT' })
    expect(extra.message).toContain('surprise')
  })

  it('registers the fixture dataset and lists it with its items', async () => {
    const d = await h.client.call('datasets.add', { path: SHAPES })
    expect(d).toMatchObject({ name: 'shapes-256', n: 256, hasImages: true, hasText: true })
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/)
    const list = await h.client.call('datasets.list', {})
    expect(list.map((x) => x.id)).toEqual([d.id])
    const page = await h.client.call('datasets.items', { id: d.id, offset: 2, limit: 3 })
    expect(page.total).toBe(256)
    expect(page.items.map((i) => i.id)).toEqual(['002', '003', '004'])
    expect(page.items[0]!.caption).toMatch(/^a (small|medium|large) /)
    expect(page.items[0]!.image).toBe(path.join('images', '002.png'))
    // Registering the same folder again refreshes it instead of duplicating it.
    const again = await h.client.call('datasets.add', { path: SHAPES })
    expect(again.id).toBe(d.id)
    expect((await h.client.call('datasets.list', {})).length).toBe(1)
  })

  it('registers models with modality and hash, and refuses files that are not ONNX', async () => {
    const vit = await h.client.call('models.add', { path: path.join(MODELS, 'vit-tiny') })
    expect(vit).toMatchObject({ name: 'vit-tiny', modality: 'vision', format: 'onnx-folder' })
    const gpt = await h.client.call('models.add', { path: path.join(MODELS, 'gpt-tiny-external-data'), name: 'gpt ext' })
    expect(gpt).toMatchObject({ name: 'gpt ext', modality: 'text' })
    expect(gpt.sha256).not.toBe(vit.sha256)
    const bad = await codeOf(h.client.call('models.add', { path: path.join(BROKEN_MODELS, 'not-onnx.onnx') }))
    expect(bad.code).toBe('BAD_INPUT')
    expect(bad.message).toContain('not-onnx.onnx')
    const missing = await codeOf(h.client.call('models.add', { path: path.join(BROKEN_MODELS, 'nope') }))
    expect(missing.code).toBe('BAD_INPUT')
    const updated = await h.client.call('models.update', { id: vit.id, tags: { family: 'vit' }, capabilities: { acc: 0.5 } })
    expect(updated.tags).toEqual({ family: 'vit' })
    expect(updated.capabilities).toEqual({ acc: 0.5 })
    expect((await h.client.call('models.remove', { id: gpt.id })).removed).toBe(true)
    expect((await h.client.call('models.list', {})).map((m) => m.id)).toEqual([vit.id])
    const nf = await codeOf(h.client.call('models.update', { id: 'm_nope', name: 'x' }))
    expect(nf.code).toBe('NOT_FOUND')
  })

  // The job-host tests below start the internal `selftest` kind through the JobManager (it is not part
  // of the API); its progress, result, cancel and crash still travel over the transport.
  it('runs a job in a separate process with progress events and a result', async () => {
    const job = h.backend.jobs.startInternal('selftest', { seconds: 0.4 }, 'self test')
    expect(job.state).toBe('running')
    const { job: done, events } = await waitForJob(h.client, job.id, ['done', 'failed'])
    expect(done.state).toBe('done')
    expect(done.result).toEqual({ steps: 20, seconds: 0.4 })
    const fractions = events.filter((e) => e.type === 'job.progress').map((e) => (e as { job: JobDto }).job.fraction)
    expect(fractions.length).toBeGreaterThan(1)
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions)
    expect((await h.client.call('jobs.get', { id: job.id })).state).toBe('done')
  })

  it('cancels a running job and reports a failing one with its message', async () => {
    const job = h.backend.jobs.startInternal('selftest', { seconds: 30 }, 'self test')
    const finished = waitForJob(h.client, job.id, ['cancelled', 'failed', 'done'])
    await new Promise((r) => setTimeout(r, 300))
    await h.client.call('jobs.cancel', { id: job.id })
    expect((await finished).job.state).toBe('cancelled')

    const failing = h.backend.jobs.startInternal('selftest', { seconds: 0.2, failAt: 0.5 }, 'self test')
    const f = await waitForJob(h.client, failing.id, ['failed', 'done'])
    expect(f.job.state).toBe('failed')
    expect(f.job.error).toContain('failed on purpose')
  })

  it(`refuses more than ${MAX_RUNNING_JOBS} running jobs with a clear error, and accepts again once one ends`, async () => {
    const jobs: JobDto[] = []
    for (let i = 0; i < MAX_RUNNING_JOBS; i++) jobs.push(h.backend.jobs.startInternal('selftest', { seconds: 60 }, `long ${i}`))
    const refused = await codeOf(h.client.call('jobs.start', { kind: 'demo', params: {}, title: 'one too many' }))
    expect(refused.code).toBe('UNAVAILABLE')
    expect(refused.message).toContain(`at most ${MAX_RUNNING_JOBS} at once`)
    expect(refused.message).toContain('one too many')
    const ended = jobs.map((j) => waitForJob(h.client, j.id, ['cancelled', 'failed', 'done']))
    for (const j of jobs) await h.client.call('jobs.cancel', { id: j.id })
    for (const e of await Promise.all(ended)) expect(e.job.state).toBe('cancelled')
    const again = h.backend.jobs.startInternal('selftest', { seconds: 0.1 }, 'after')
    expect(again.state).toBe('running')
    expect((await waitForJob(h.client, again.id, ['done', 'failed'])).job.state).toBe('done')
  })

  it('marks a job whose host process is killed as failed and stays usable', async () => {
    const job = h.backend.jobs.startInternal('selftest', { seconds: 1, crashAt: 0.3 }, 'self test')
    const f = await waitForJob(h.client, job.id, ['failed', 'done'])
    expect(f.job.state).toBe('failed')
    expect(f.job.error).toMatch(/SIGKILL/)
    expect((await h.client.call('workspace.summary', {})).models).toBeGreaterThanOrEqual(0)
  })

  it('checks job parameters against the kind\'s schema before any job starts, naming the field', async () => {
    const before = (await h.client.call('jobs.list', {})).length
    const refused = async (args: unknown): Promise<string> => {
      const r = await codeOf(h.client.call('jobs.start', args as never))
      expect(r.code).toBe('BAD_INPUT')
      return r.message
    }
    const kinds = 'extract, sweep, demo, report, umap, colour, evaluate'
    expect(JOB_KINDS.join(', ')).toBe(kinds)
    // Not public: a kind without a job behind it, the internal test kind, a made-up one.
    for (const kind of ['align', 'selftest', 'nope']) expect(await refused({ kind, params: {} })).toBe(`jobs.start: kind: expected one of ${kinds}, got "${kind}"`)
    expect(await refused({ params: {} })).toBe(`jobs.start: kind: expected one of ${kinds}, got undefined`)
    // Per kind: a required field missing, a value of the wrong type or out of range, a field the kind does not take.
    const cases: [unknown, string][] = [
      [{ kind: 'extract', params: { datasetId: 'd_1' } }, 'params.modelId: expected a string, got undefined'],
      [{ kind: 'extract', params: { modelId: 'm_1', datasetId: 'd_1', batch: 'big' } }, 'params.batch: expected a finite number, got string'],
      [{ kind: 'extract', params: { modelId: 'm_1', datasetId: 'd_1', tower: 'audio' } }, 'params.tower: expected one of vision, text, got "audio"'],
      [{ kind: 'sweep', params: { modelIds: ['a', 'b'] } }, 'params.datasetId: expected a string, got undefined'],
      [{ kind: 'sweep', params: { modelIds: ['a', 'b'], datasetId: 'd_1', metrics: ['cosine'] } }, 'params.metrics[0]: expected one of mutual_knn, cycle_knn, lcs_knn, edit_distance_knn, cka, cka_rbf, unbiased_cka, cknna, svcca, rsa, procrustes, got "cosine"'],
      [{ kind: 'sweep', params: { modelIds: 'a,b', datasetId: 'd_1' } }, 'params.modelIds: expected an array, got string'],
      [{ kind: 'umap', params: { modelId: 'm_1' } }, 'params.datasetId: expected a string, got undefined'],
      [{ kind: 'umap', params: { modelId: 'm_1', datasetId: 'd_1', sample: { mode: 'some' } } }, 'params.sample.mode: expected one of all, random, stratified, got "some"'],
      [{ kind: 'colour', params: { permutations: -1 } }, 'params.permutations: must be >= 0, got -1'],
      [{ kind: 'colour', params: { k: 2.5 } }, 'params.k: expected an integer, got 2.5'],
      [{ kind: 'report', params: { paper: 'A5' } }, 'params.paper: expected one of A4, Letter, got "A5"'],
      [{ kind: 'report', params: { sections: 'all' } }, 'params.sections: expected an array, got string'],
      [{ kind: 'evaluate', params: { benchmarkPath: '/b' } }, 'params.modelPath: expected a string, got undefined'],
      [{ kind: 'evaluate', params: { modelPath: '/m', benchmarkPath: '/b', blind: 'yes' } }, 'params.blind: expected true or false, got string'],
      [{ kind: 'demo', params: { seconds: 1 } }, 'params.seconds: unknown argument'],
      [{ kind: 'extract', params: 'm_1' }, 'params: expected an object, got string'],
    ]
    for (const [args, message] of cases) expect(await refused(args)).toBe(`jobs.start: ${message}`)
    // No job was recorded or forked for any of them.
    expect((await h.client.call('jobs.list', {})).length).toBe(before)
    // Callers inside the backend (bench, tests) get the same check from the JobManager itself.
    expect(() => h.backend.jobs.start({ kind: 'umap', params: { modelId: 'm_1' } as never })).toThrow('umap job: params.datasetId: expected a string, got undefined')
  })

  it('types a job\'s parameters and result by its kind', async () => {
    const [vit] = await h.client.call('models.list', {})
    const [shapes] = await h.client.call('datasets.list', {})
    const started = await h.client.startJob('extract', { modelId: vit!.id, datasetId: shapes!.id, limit: 12, batch: 4, ep: 'cpu' }, 'typed extract')
    expectTypeOf(started.kind).toEqualTypeOf<'extract'>()
    expectTypeOf(started.result).toEqualTypeOf<ExtractResult | null>()
    expect(started).toMatchObject({ kind: 'extract', title: 'typed extract', state: 'running', result: null })
    const { job } = await waitForJob(h.client, started.id, ['done', 'failed'])
    const done = finishedJob(job, 'extract')
    expect(done, job.error ?? '').not.toBeNull()
    expectTypeOf(done!.result).toEqualTypeOf<ExtractResult>()
    // The result describes the feature set the workspace stored: 12 items in 3 batches of 4, its layers and hashes.
    const stored = (await h.client.call('features.list', {})).find((f) => f.id === done!.result.feature_set)
    expect(stored).toMatchObject({ n: 12, modelSha256: vit!.sha256, datasetSha256: shapes!.sha256, layers: done!.result.layers, dim: done!.result.dim })
    expect(done!.result).toMatchObject({ n: 12, cached: false, ep: 'cpu', model_sha256: vit!.sha256, batches: { total: 3, computed: 3, resumed: 0, damaged: 0 } })
    // A finished job of another kind is not this one.
    expect(finishedJob(job, 'sweep')).toBeNull()
  })

  it('keeps the parameter a failed job failed over, named as the API names it, never as a flag', async () => {
    const [vit] = await h.client.call('models.list', {})
    const [shapes] = await h.client.call('datasets.list', {})
    // The schema takes one model; the sweep itself needs two, so the job host fails it over `modelIds`.
    const started = await h.client.startJob('sweep', { modelIds: [vit!.id], datasetId: shapes!.id }, 'one-model sweep')
    const { job } = await waitForJob(h.client, started.id, ['done', 'failed'])
    expect(job).toMatchObject({ state: 'failed', errorArg: 'modelIds', error: 'modelIds: choose at least two models to align' })
    expect(job.error).not.toContain('--')
    // The record keeps it: jobs.get and jobs.list read it back from the workspace.
    expect(await h.client.call('jobs.get', { id: job.id })).toMatchObject({ state: 'failed', errorArg: 'modelIds' })
    expect((await h.client.call('jobs.list', {})).find((j) => j.id === job.id)?.errorArg).toBe('modelIds')
    // A failure that is about no parameter carries none.
    const failing = h.backend.jobs.startInternal('selftest', { seconds: 0.2, failAt: 0.5 }, 'self test')
    const f = await waitForJob(h.client, failing.id, ['failed', 'done'])
    expect(f.job.state).toBe('failed')
    expect(f.job).not.toHaveProperty('errorArg')
  })
})
