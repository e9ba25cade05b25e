import path from 'node:path'
import { expect } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import type { InputOf, MethodName, ResultOf } from '../../src-main/common/api'
import { ApiClient } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import type { AppEvent } from '../../src-main/common/contract/events'
import type { DatasetDto, ModelDto } from '../../src-main/common/contract/registry'
import type { JobDto, JobKind, JobParams, JobResult } from '../../src-main/common/contract/jobs'
import { AppError } from '../../src-main/common/errors'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { runJobInProcess } from '../../src-main/jobs/runInProcess'
import { startServer, type RunningServer } from '../../src-main/server/httpServer'
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures'
import { nodeHttpTransport } from '../helpers/httpTransport'
import { tmpDir } from '../helpers/tmp'

/**
 * One backend over one temporary workspace, reached through both transports that run under Node: the
 * in-process transport and the loopback HTTP server. Every contract case sends the same call through
 * both and compares what comes back, so a difference between transports (a field lost in JSON, an
 * error code mapped differently, a status that hides the body) fails the case.
 */
export interface Harness {
  readonly inProcess: ApiClient
  readonly http: ApiClient
  readonly backend: Backend
  /** A scratch folder inside the test's temporary directory (export targets, report files). */
  readonly scratch: string
  /** The demo workspace's registered models by name, and its dataset (shapes-256). */
  model(name: string): ModelDto
  readonly dataset: DatasetDto
  /**
   * A small text model outside the demo, for jobs and feature sets that cases make and delete: the views
   * show a model's newest feature set, so scratch work on a demo model would change what they show.
   */
  readonly scratchModel: ModelDto
  /** Runs the call through both transports, one after the other; both must succeed with equal results. */
  same<M extends MethodName>(method: M, args: InputOf<M>, normalise?: (r: ResultOf<M>) => unknown): Promise<ResultOf<M>>
  /**
   * `same`, returning both results: `normalise` drops what differs by nature (a new job's id), and
   * `between` runs after the in-process call and before the HTTP one (wait for the first job to end).
   */
  both<M extends MethodName>(
    method: M,
    args: InputOf<M>,
    opts: { normalise?: (r: ResultOf<M>) => unknown; between?: (first: ResultOf<M>) => Promise<void> },
  ): Promise<[ResultOf<M>, ResultOf<M>]>
  /** Runs the call through both transports; both must fail with the same code and message, which is returned. */
  sameError(method: MethodName, args: unknown): Promise<{ code: string; message: string }>
  /** A job run in this process against the backend's workspace (setup only: cases call the API). */
  runJob<K extends JobKind>(kind: K, params: JobParams<K>): Promise<JobResult<K>>
  /** The job's DTO once `until` holds for it, followed through the client's event stream. */
  waitForJob(client: ApiClient, id: string, until: (job: JobDto) => boolean): Promise<JobDto>
  /** Methods called through both transports with equal results, and those that failed the same way. */
  readonly called: Set<MethodName>
  readonly refused: Set<MethodName>
  close(): Promise<void>
}

/** The AppError a call fails with, as code and message (fails the test if the call succeeds). */
export async function failureOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return { code: (e as AppError).code, message: (e as AppError).message }
  }
  throw new Error('expected the call to fail')
}

/** The demo workspace (models, shapes-256, paper tables, features, alignments, item maps, a colour run). */
export async function openHarness(): Promise<Harness> {
  const t = tmpDir('pl-contract-')
  const backend = new Backend({ dataDir: path.join(t.dir, 'workspace'), mode: 'browser', cancelGraceMs: 3000 })
  await runJobInProcess(backend.ws, 'demo', {}, () => undefined, new AbortController().signal)
  const dispatch = createDispatcher(backend.api)
  const subscribe = (cb: (e: AppEvent) => void): (() => void) => backend.subscribe(cb)
  const server: RunningServer = await startServer({ dispatch, subscribe, staticDir: path.join(REPO_ROOT, 'src-renderer') })
  const httpTransport = nodeHttpTransport(`http://127.0.0.1:${server.port}`, server.token)
  const inProcess = new ApiClient(inProcessTransport(dispatch, subscribe))
  const http = new ApiClient(httpTransport)
  // The HTTP event stream connects lazily: wait until it delivers, so no job event is missed later.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => backend.changed('all'), 50)
    const off = http.onEvent(() => {
      off()
      clearInterval(tick)
      resolve()
    })
  })
  const models = await inProcess.call('models.list', {})
  const [dataset] = await inProcess.call('datasets.list', {})
  if (!dataset) throw new Error('the demo registered no dataset')
  const scratchModel = await inProcess.call('models.add', { path: path.join(FIXTURES, 'decoders', 'bert-tiny'), name: 'bert-tiny (scratch)' })
  const called = new Set<MethodName>()
  const refused = new Set<MethodName>()
  const both: Harness['both'] = async (method, args, { normalise = (r) => r, between }) => {
    const a = await inProcess.call(method, args)
    await between?.(a)
    const b = await http.call(method, args)
    expect(normalise(b), `${method} over HTTP`).toEqual(normalise(a))
    called.add(method)
    return [a, b]
  }

  return {
    inProcess,
    http,
    backend,
    scratch: t.dir,
    dataset,
    scratchModel,
    model(name) {
      const m = models.find((x) => x.name === name)
      if (!m) throw new Error(`the demo has no model named ${name}`)
      return m
    },
    same: async (method, args, normalise) => (await both(method, args, { normalise }))[0],
    both,
    async sameError(method, args) {
      const a = await failureOf(inProcess.call(method, args as never))
      const b = await failureOf(http.call(method, args as never))
      expect(b, `${method} over HTTP`).toEqual(a)
      refused.add(method)
      return a
    },
    runJob: (kind, params) => runJobInProcess(backend.ws, kind, params, () => undefined, new AbortController().signal),
    waitForJob(client, id, until) {
      return new Promise((resolve, reject) => {
        let off = (): void => undefined
        const check = (job: JobDto): boolean => {
          if (!until(job)) return false
          off()
          resolve(job)
          return true
        }
        off = client.onEvent((e) => {
          if (e.type !== 'workspace.changed' && e.job.id === id) check(e.job)
        })
        // The job may have ended before the subscription: ask once after subscribing.
        client.call('jobs.get', { id }).then(check, reject)
      })
    },
    called,
    refused,
    async close() {
      httpTransport.close()
      await server.close()
      backend.close()
      t.cleanup()
    },
  }
}

/** A case exercises one method through both transports (`Harness.same`) and checks the result's documented shape. */
export type Case = (h: Harness) => Promise<void>
export type Cases<M extends MethodName> = { readonly [K in M]: Case }

/** JSON-shaped values for `toMatchObject`/`toEqual`: an ISO timestamp. */
export const ISO_TIME = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
export const SHA256 = expect.stringMatching(/^[0-9a-f]{64}$/)

export const ended = (j: JobDto): boolean => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled'
