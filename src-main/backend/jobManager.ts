import { fork, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import type { JobDto, JobStartArgs } from '../common/contract/jobs'
import { AppError, type WireError } from '../common/errors'
import type { AppEvent } from '../common/contract/events'
import type { Workspace } from '../core/store/workspace'
import { jobHostCommand } from '../jobs/entry'
import type { FromJobHost, ToJobHost } from '../jobs/protocol'
import { checkJobParams, isInternalJobKind } from '../jobs/kinds'
import { finishJobRow, getJobRow, insertQueuedJob, listJobRows, markJobCancelling, markJobLost, markJobRunning, setJobProgress, unfinishedJobs, type JobRow } from './jobStore'

interface Running {
  child: ChildProcess
  etaSeconds: number | null
  cancelTimer?: NodeJS.Timeout
  settled: boolean
}

/**
 * Most jobs running at once. Each job is a process that may hold models and batches in memory, so a
 * client (a script, a runaway page) starting jobs in a loop must not exhaust the machine.
 */
export const MAX_RUNNING_JOBS = 4

/**
 * Starts each job in its own job-host child process, relays its progress as events, and records every
 * state change in the workspace's `jobs` table so a crashed or killed job is visible as failed, never
 * as silently running. Cancel asks the child to stop at the next batch boundary and kills it if it
 * does not within `cancelGraceMs`.
 */
export class JobManager {
  private readonly running = new Map<string, Running>()
  private readonly cancelGraceMs: number
  private readonly maxRunning: number

  constructor(
    private readonly ws: Workspace,
    private readonly emit: (e: AppEvent) => void,
    opts: { cancelGraceMs?: number; env?: NodeJS.ProcessEnv; maxRunning?: number } = {},
  ) {
    this.cancelGraceMs = opts.cancelGraceMs ?? 10_000
    this.maxRunning = opts.maxRunning ?? MAX_RUNNING_JOBS
    this.env = opts.env
    this.reapStale()
  }
  private readonly env?: NodeJS.ProcessEnv

  /** Jobs left 'running' or 'queued' by a process that no longer exists are marked failed. */
  private reapStale(): void {
    for (const r of unfinishedJobs(this.ws)) {
      if (r.pid && isAlive(r.pid)) continue
      markJobLost(this.ws, r.id, 'the job host stopped before the job finished (crash or forced quit); finished batches are kept and the job can be run again to resume')
    }
  }

  list(): JobDto[] {
    return listJobRows(this.ws).map((r) => this.dto(r))
  }

  get(id: string): JobDto {
    const r = getJobRow(this.ws, id)
    if (!r) throw new AppError('NOT_FOUND', `no job ${id}`)
    return this.dto(r)
  }

  /**
   * Starts a job of a public kind (contract/jobs.ts). Its parameters are checked against the kind's
   * schema first, so a bad one is BAD_INPUT naming the field and no job is recorded.
   */
  start(args: JobStartArgs): JobDto {
    checkJobParams(args.kind, args.params)
    return this.launch(args.kind, args.params, args.title ?? args.kind)
  }

  /** Starts a kind of the job host's internal registry (tests of progress, cancel and crashes); not reachable over the API. */
  startInternal(kind: string, params: unknown, title: string): JobDto {
    if (!isInternalJobKind(kind)) throw new AppError('BAD_INPUT', `job kind "${kind}" is not internal`)
    return this.launch(kind, params, title)
  }

  private launch(kind: string, params: unknown, title: string): JobDto {
    const active = [...this.running.values()].filter((r) => !r.settled).length
    if (active >= this.maxRunning) {
      throw new AppError('UNAVAILABLE', `${active} jobs are already running (at most ${this.maxRunning} at once); wait for one to finish or cancel one, then start "${title}" again`)
    }
    const id = `job_${crypto.randomBytes(6).toString('hex')}`
    const now = new Date().toISOString()
    insertQueuedJob(this.ws, { id, kind, title, params, createdAt: now })
    const { entry, execArgv } = jobHostCommand()
    const env = { ...process.env, ...this.env }
    // Inside Electron (utilityProcess) process.execPath is the Electron binary: run it as plain Node.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1'
    const child = fork(entry, [], { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    const run: Running = { child, etaSeconds: null, settled: false }
    this.running.set(id, run)
    markJobRunning(this.ws, id, child.pid ?? null, now)
    child.on('message', (m: FromJobHost) => this.onMessage(id, m))
    child.on('exit', (code, signal) => {
      const r = this.running.get(id)
      this.running.delete(id)
      if (r?.cancelTimer) clearTimeout(r.cancelTimer)
      if (r && !r.settled) {
        const cancelled = this.rawState(id) === 'cancelling'
        if (cancelled) this.finish(id, 'cancelled', null, null)
        else {
          const why = signal ? `killed by ${signal}` : `exited with code ${code}`
          const tail = stderr.trim().split('\n').filter(Boolean).slice(-1)[0]
          this.finish(id, 'failed', `the job host ${why}${tail ? `: ${tail}` : ''}; finished batches are kept and running the job again resumes it`, null)
        }
      }
    })
    child.on('error', (e) => {
      const r = this.running.get(id)
      if (r && !r.settled) this.finish(id, 'failed', `could not start the job host: ${e.message}`, null)
    })
    const msg: ToJobHost = { type: 'start', jobId: id, kind, params: params ?? null, dataDir: this.ws.dir }
    child.send(msg)
    const dto = this.get(id)
    this.emit({ type: 'job.progress', job: dto })
    return dto
  }

  cancel(id: string): JobDto {
    const r = this.running.get(id)
    const job = this.get(id)
    if (!r) {
      if (job.state === 'queued') this.finish(id, 'cancelled', null, null)
      return this.get(id)
    }
    markJobCancelling(this.ws, id)
    r.child.send({ type: 'cancel' } satisfies ToJobHost)
    r.cancelTimer = setTimeout(() => r.child.kill('SIGKILL'), this.cancelGraceMs)
    const dto = this.get(id)
    this.emit({ type: 'job.progress', job: dto })
    return dto
  }

  /** Waits until the job leaves the running state (tests, CLI). */
  async wait(id: string, timeoutMs = 600_000): Promise<JobDto> {
    const t0 = Date.now()
    for (;;) {
      const j = this.get(id)
      if (j.state === 'done' || j.state === 'failed' || j.state === 'cancelled') {
        if (!this.running.has(id)) return j
      }
      if (Date.now() - t0 > timeoutMs) throw new AppError('INTERNAL', `job ${id} did not finish within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Stops every running job (on shutdown). */
  shutdown(): void {
    for (const [, r] of this.running) {
      r.child.send({ type: 'cancel' } satisfies ToJobHost)
      setTimeout(() => r.child.kill('SIGKILL'), 2000).unref()
    }
  }

  private rawState(id: string): string | undefined {
    return getJobRow(this.ws, id)?.state
  }

  private onMessage(id: string, m: FromJobHost): void {
    const r = this.running.get(id)
    if (!r) return
    if (m.type === 'progress') {
      r.etaSeconds = m.etaSeconds
      setJobProgress(this.ws, id, m.fraction, m.message)
      this.emit({ type: 'job.progress', job: this.get(id) })
    } else if (m.type === 'done') {
      r.settled = true
      this.finish(id, 'done', null, m.result)
    } else if (m.type === 'failed') {
      r.settled = true
      this.finish(id, 'failed', formatError(m.error), null, m.error.arg)
    } else if (m.type === 'cancelled') {
      r.settled = true
      this.finish(id, 'cancelled', null, null)
    }
  }

  /** `errorArg`: the parameter the job failed over, when its error names one (see AppError.arg). */
  private finish(id: string, state: 'done' | 'failed' | 'cancelled', error: string | null, result: unknown, errorArg?: string): void {
    const r = this.running.get(id)
    if (r) r.etaSeconds = null
    finishJobRow(this.ws, id, state, error === null ? null : { message: error, ...(errorArg !== undefined ? { arg: errorArg } : {}) }, result)
    const dto = this.get(id)
    this.emit({ type: state === 'done' ? 'job.done' : 'job.failed', job: dto })
  }

  private dto(r: JobRow): JobDto {
    const run = this.running.get(r.id)
    // The row's kind and result were written by launch() and finish(); rows of internal kinds exist only in tests' workspaces.
    return {
      id: r.id,
      kind: r.kind,
      title: r.title,
      state: r.state === 'cancelling' ? 'running' : r.state,
      fraction: r.fraction,
      message: r.message,
      etaSeconds: run?.etaSeconds ?? null,
      error: r.error,
      ...(r.error_arg !== null ? { errorArg: r.error_arg } : {}),
      result: r.result ? (JSON.parse(r.result) as unknown) : null,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    } as JobDto
  }
}

function formatError(w: WireError): string {
  return w.message
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
