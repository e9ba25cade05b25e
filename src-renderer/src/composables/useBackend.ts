import { reactive, readonly } from 'vue'
import { finishedJob, type FinishedJob, type JobDto, type JobKind, type JobParams } from '../../../src-main/common/contract/jobs'
import type { AppEvent } from '../../../src-main/common/contract/events'
import type { AppInfo, DatasetDto, ModelDto, WorkspaceArea, WorkspaceSummary } from '../../../src-main/common/contract/registry'
import { api } from '../api'
import { errorText } from './useAction'
import { jobFailure } from './jobFailure'
import { markChanged, newRevisions, type Revisions } from './revision'
import { newestRequest } from './newestRequest'

interface State {
  info: AppInfo | null
  summary: WorkspaceSummary | null
  models: ModelDto[]
  datasets: DatasetDto[]
  jobs: JobDto[]
  /** The last error shown in the status bar (the backend's own sentence). */
  error: string | null
  /** Bumped when stored results change, so views re-query. */
  revision: Revisions
}

const state = reactive<State>({
  info: null,
  summary: null,
  models: [],
  datasets: [],
  jobs: [],
  error: null,
  revision: newRevisions(),
})

let started = false

const registryRequests = { summary: newestRequest(), models: newestRequest(), datasets: newestRequest() }

/** Reloads the shared registry; a reply overtaken by a later refresh of the same list is dropped. */
async function refresh(area: WorkspaceArea = 'all'): Promise<void> {
  const load = <T>(which: keyof typeof registryRequests, reply: Promise<T>, apply: (v: T) => void): Promise<void> => {
    const current = registryRequests[which].begin()
    return reply.then((v) => {
      if (current()) apply(v)
    })
  }
  const tasks = [load('summary', api.call('workspace.summary', {}), (s) => (state.summary = s))]
  if (area === 'all' || area === 'models') tasks.push(load('models', api.call('models.list', {}), (m) => (state.models = m)))
  if (area === 'all' || area === 'datasets') tasks.push(load('datasets', api.call('datasets.list', {}), (d) => (state.datasets = d)))
  await Promise.all(tasks)
}

function onEvent(e: AppEvent): void {
  if (e.type === 'workspace.changed') {
    markChanged(state.revision, e.area)
    void refresh(e.area).catch(report)
    return
  }
  const i = state.jobs.findIndex((j) => j.id === e.job.id)
  if (i >= 0) state.jobs.splice(i, 1, e.job)
  else state.jobs.unshift(e.job)
}

export function report(e: unknown): void {
  state.error = errorText(e)
}

/** Shared backend state for every view: registry, jobs, and revision counters driven by events. */
export function useBackend() {
  if (!started) {
    started = true
    api.onEvent(onEvent)
    void (async () => {
      try {
        state.info = await api.call('app.info', {})
        state.jobs = await api.call('jobs.list', {})
        await refresh('all')
      } catch (e) {
        report(e)
      }
    })()
  }
  return {
    state: readonly(state),
    refresh,
    clearError: () => (state.error = null),
    report,
    /** Starts a job and resolves with its result, typed by kind (contract/jobs.ts), when it ends; rejects with the job's error. */
    async runJob<K extends JobKind>(kind: K, params: JobParams<K>, title: string): Promise<FinishedJob<K>> {
      const job = await api.startJob(kind, params, title)
      // A JobDto<K> is one member of the JobDto union; TypeScript cannot see that for a generic K.
      onEvent({ type: 'job.progress', job: job as JobDto })
      return new Promise((resolve, reject) => {
        let settled = false
        const settle = (j: JobDto): void => {
          if (settled) return
          const finished = finishedJob(j, kind)
          if (finished) resolve(finished)
          else if (j.state === 'done' || j.state === 'failed' || j.state === 'cancelled') reject(jobFailure(j))
          else return
          settled = true
          off()
        }
        const off = api.onEvent((e) => {
          if (e.type !== 'workspace.changed' && e.job.id === job.id) settle(e.job)
        })
        // The job may have ended before the event stream delivered anything.
        void api.call('jobs.get', { id: job.id }).then(settle, () => undefined)
      })
    },
  }
}
