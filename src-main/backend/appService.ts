import os from 'node:os'
import type { AppApi } from '../common/api'
import type { AppEvent } from '../common/contract/events'
import type { AppInfo, WorkspaceArea, WorkspaceSummary } from '../common/contract/registry'
import { Workspace } from '../core/store/workspace'
import { appVersion } from '../core/paths'
import { addModel, countModels, listModels, removeModel, updateModel } from '../core/registry/models'
import { addDataset, countDatasets, datasetItems, listDatasets, removeDataset } from '../core/registry/datasets'
import { countFeatureSets } from '../core/features/store'
import { countAlignments } from '../core/align/resultsStore'
import { countEvalRuns } from '../core/eval/evalStore'
import { countMixtureTables } from '../core/mix/mixtureStore'
import { loadDemo } from '../core/registry/demo'
import { JobManager } from './jobManager'
import { storageError } from '../core/store/storageError'
import { evalHandlers } from './handlers/evalHandlers'
import { mixHandlers } from './handlers/mixHandlers'
import { alignHandlers } from './handlers/alignHandlers'
import { viewsHandlers } from './handlers/viewsHandlers'

export interface BackendOptions {
  dataDir: string
  mode: AppInfo['mode']
  /** Environment for job-host children (tests point them at a temp HOME, etc.). */
  jobEnv?: NodeJS.ProcessEnv
  cancelGraceMs?: number
  /** Most jobs running at once (JobManager's MAX_RUNNING_JOBS by default). */
  maxRunningJobs?: number
}

type Listener = (e: AppEvent) => void

/**
 * The backend: the AppApi implemented over one workspace. Quick calls (registry reads and writes,
 * stored results) run here; anything long is started as a job in a separate job-host process.
 */
export class Backend {
  readonly ws: Workspace
  readonly jobs: JobManager
  readonly api: AppApi
  private readonly listeners = new Set<Listener>()

  constructor(readonly opts: BackendOptions) {
    this.ws = Workspace.open(opts.dataDir)
    this.jobs = new JobManager(this.ws, (e) => this.emit(e), { env: opts.jobEnv, cancelGraceMs: opts.cancelGraceMs, maxRunning: opts.maxRunningJobs })
    this.api = withStorageErrors(this.buildApi(), this.ws.dir)
  }

  subscribe(cb: Listener): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  emit(e: AppEvent): void {
    // A job that finished may have written results: tell the views to refresh.
    for (const l of this.listeners) l(e)
    if (e.type === 'job.done') {
      const area = AREA_OF_JOB[e.job.kind]
      if (area) for (const l of this.listeners) l({ type: 'workspace.changed', area })
    }
  }

  changed(area: WorkspaceArea): void {
    this.emit({ type: 'workspace.changed', area })
  }

  close(): void {
    this.jobs.shutdown()
    this.ws.close()
  }

  summary(): WorkspaceSummary {
    const models = countModels(this.ws)
    const datasets = countDatasets(this.ws)
    return {
      dataDir: this.ws.dir,
      schemaVersion: this.ws.schemaVersion,
      models,
      datasets,
      featureSets: countFeatureSets(this.ws),
      alignments: countAlignments(this.ws),
      evalRuns: countEvalRuns(this.ws),
      mixtureTables: countMixtureTables(this.ws),
      isEmpty: models === 0 && datasets === 0,
      demoLoaded: this.ws.getSetting('demo.loaded') === '1',
    }
  }

  private buildApi(): AppApi {
    const ws = this.ws
    const align = alignHandlers(ws, (area) => this.changed(area))
    return {
      'app.info': async () => ({
        name: 'Platonic Lab',
        version: appVersion(),
        dataDir: ws.dir,
        mode: this.opts.mode,
        platform: process.platform,
        arch: os.arch(),
        firstRun: this.summary().isEmpty && ws.getSetting('welcome.dismissed') !== '1',
      }),
      'workspace.summary': async () => this.summary(),
      'models.list': async () => listModels(ws),
      'models.add': async ({ path, name }) => {
        const m = await addModel(ws, path, name)
        this.changed('models')
        return m
      },
      'models.remove': async ({ id }) => {
        const removed = removeModel(ws, id)
        this.changed('models')
        return { removed }
      },
      'models.update': async ({ id, ...patch }) => {
        const m = updateModel(ws, id, patch)
        this.changed('models')
        return m
      },
      'datasets.list': async () => listDatasets(ws),
      'datasets.add': async ({ path, name }) => {
        const d = addDataset(ws, path, name)
        this.changed('datasets')
        return d
      },
      'datasets.remove': async ({ id }) => {
        const removed = removeDataset(ws, id)
        this.changed('datasets')
        return { removed }
      },
      'datasets.items': async ({ id, offset, limit }) => datasetItems(ws, id, offset, limit),
      'jobs.list': async () => this.jobs.list(),
      'jobs.get': async ({ id }) => this.jobs.get(id),
      'jobs.start': async (args) => this.jobs.start(args),
      'jobs.cancel': async ({ id }) => this.jobs.cancel(id),
      'demo.open': async () => {
        await loadDemo(ws)
        this.changed('all')
        return this.summary()
      },
      ...align,
      ...viewsHandlers(ws, () => this.changed('maps'), align['align.matrix']),
      ...evalHandlers(ws, () => this.changed('eval')),
      ...mixHandlers(ws, () => this.changed('mixtures'), align['align.matrix']),
    }
  }
}

/** Every method, with disk-full and read-only failures turned into the user-facing sentence. */
function withStorageErrors(api: AppApi, dir: string): AppApi {
  const wrapped: Record<string, (a: unknown) => Promise<unknown>> = {}
  for (const [name, fn] of Object.entries(api) as [string, (a: unknown) => Promise<unknown>][]) {
    wrapped[name] = async (a) => {
      try {
        return await fn(a)
      } catch (e) {
        throw storageError(dir, e) ?? e
      }
    }
  }
  return wrapped as AppApi
}

const AREA_OF_JOB: Record<string, WorkspaceArea> = {
  extract: 'features',
  align: 'alignments',
  sweep: 'alignments',
  demo: 'all',
  umap: 'maps',
  colour: 'colour',
}
