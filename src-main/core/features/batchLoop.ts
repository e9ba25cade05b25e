import { AppError, badInput } from '../../common/errors'
import type { EpChoice } from '../onnx/ep'
import type { ModelInfo } from '../onnx/modelInfo'
import { openModelSession, type ModelSession } from '../onnx/tappedSession'
import type { Workspace } from '../store/workspace'
import { BatchPrefetch } from './batchPrefetch'
import type { BatchHalved, ExtractResult } from '../../common/contract/features'
import { BatchRunner } from './batchRunner'
import type { ExtractHooks } from './extract'
import { BatchProgress, secondsSince, type ExtractTiming } from './extractProgress'
import { toFeed } from './inputs'
import { layerPooling, PooledBatch, type LayerPooling } from './pooledBatch'
import type { Pool } from './pool'
import type { PrepItem } from './prepare'
import type { BatchPreparer } from './preparer'
import { setLayerDims, setRunInfo } from './store'
import { StoreQueue } from './storeQueue'

/** The batches of one feature set still to compute, and what computing them takes. */
export interface BatchLoopJob {
  ws: Workspace
  info: ModelInfo
  /** The model file as the request named it (for errors about its values). */
  modelPath: string
  layers: string[]
  pool: Pool
  ep: EpChoice
  /** Folder for a modified copy of the graph. */
  tmpDir: string
  setId: string
  batchSize: number
  nBatches: number
  /** Indices of the batches to compute, and how many were done before. */
  todo: number[]
  resumed: number
  items: readonly PrepItem[]
  /** Owned by the loop from here: closed when it ends, however it ends. */
  preparer: BatchPreparer
  /** The session's intra-op threads; null for onnxruntime's default. */
  threads: number | null
  /** When the extraction began (setup time runs from here to the first batch). */
  t0: number
  timing: ExtractTiming
  hooks: ExtractHooks
}

export interface BatchLoopResult {
  /** The provider that ran, and those that failed first. */
  ep: string
  skipped: { ep: string; reason: string }[]
  computed: number
  preparation: ExtractResult['preparation']
  pooling: NonNullable<ExtractResult['pooling']>
  batchHalved: BatchHalved | null
}

/**
 * Computes the batches `todo` of a feature set. Each batch: keep batches requested from the preparer
 * ahead (BatchPrefetch), run it (onnxruntime-node's run holds this thread until it returns, while the
 * worker prepares later batches and writes earlier batches' files), pool it (PooledBatch), start
 * storing it (StoreQueue). Only the await of session.run counts as run time; preparing inline or
 * waiting for a prepared batch counts as prepare time. Cancellation is checked between batches;
 * whatever finished before it is recorded, so a rerun resumes there. Progress counts a batch once its
 * file is durable, and a cancel or an error records every durable batch first, so a reported batch is
 * never recomputed after a cancel.
 */
export async function runBatches(job: BatchLoopJob): Promise<BatchLoopResult> {
  const { ws, info, preparer, timing, hooks } = job
  const prefetch = new BatchPrefetch(preparer, job.todo, job.batchSize, job.items.length, timing, hooks.signal)
  prefetch.start()
  let ms: ModelSession
  try {
    ms = await openModelSession(info, job.layers, job.ep, job.tmpDir, job.threads ? { intraOpNumThreads: job.threads } : {}, { pool: job.pool, masked: info.modality === 'text' })
  } catch (e) {
    await preparer.close()
    throw e
  }
  const progress = new BatchProgress(job.nBatches, job.resumed, job.todo.length, hooks.onProgress)
  let batchHalved: BatchHalved | null = null
  let stores: StoreQueue | null = null
  let preparation: BatchLoopResult['preparation'] = { mode: 'inline', threads: null, note: null }
  let failed = false
  try {
    setRunInfo(ws, job.setId, ms.ep, ms.skipped)
    const outputs = layerPooling(info, job.layers, ms.pooling, job.pool)
    const runner = new BatchRunner(ms, outputs.fetch, job.pool, info.file, (h) => {
      batchHalved = h
      progress.halved(h)
    })
    const tLoop = performance.now()
    timing.setup_s = (tLoop - job.t0) / 1000
    progress.startLoop(tLoop)
    stores = new StoreQueue(ws, job.setId, preparer, timing, () => progress.batchStored())
    await loop(job, prefetch, runner, outputs, stores, progress)
    timing.loop_s = secondsSince(tLoop)
    // Read before the preparer is closed. A job that ends before the worker is up ran inline, which is
    // normal, not a failure worth a note.
    preparation = { mode: preparer.mode === 'worker' ? 'worker' : 'inline', threads: job.threads, note: preparer.note }
  } catch (e) {
    failed = true
    throw e
  } finally {
    // Stores still in flight after an error finish (or fail) before the session and worker go away.
    await stores?.settle(failed)
    await preparer.close()
    await ms.close()
  }
  return {
    ep: ms.ep,
    skipped: ms.skipped,
    computed: progress.computed,
    preparation,
    pooling: { in: ms.pooling ? 'graph' : 'javascript', note: ms.poolingNote },
    batchHalved,
  }
}

async function loop(job: BatchLoopJob, prefetch: BatchPrefetch, runner: BatchRunner, outputs: LayerPooling, stores: StoreQueue, progress: BatchProgress): Promise<void> {
  const { timing, preparer, hooks } = job
  const cancelled = async (): Promise<AppError> => {
    await stores.drain()
    return new AppError('CANCELLED', `extraction cancelled after ${progress.done}/${job.nBatches} batches; run it again to resume`)
  }
  let lastTurn = performance.now()
  let widthsKnown = false
  for (let k = 0; k < job.todo.length; k++) {
    // None when cancelled before the batch was requested (while the session was created).
    const cur = prefetch.take()
    if (!cur) throw await cancelled()
    const tBatch = performance.now()
    const plain = await preparer.need(cur.feeds)
    timing.prepare_s += secondsSince(tBatch)
    const batch = new PooledBatch(outputs, cur.count)
    for (const whole of plain.map(toFeed)) {
      await runner.run(whole, (f, res, runSeconds) => {
        timing.session_run_s += runSeconds
        const tp = performance.now()
        batch.add(f, res)
        timing.pool_s += secondsSince(tp)
      })
    }
    const { features, dims, dim } = batch.result()
    if (!widthsKnown) {
      setLayerDims(job.ws, job.setId, dims)
      widthsKnown = true
    }
    const bad = batch.nonFinite()
    if (bad) throw badInput(job.modelPath, `the model produced a non-finite value (${bad.value}) at layer ${bad.layer} for item ${job.items[cur.start + bad.row]!.id}, in batch ${cur.b} (items ${cur.start}..${cur.start + cur.count - 1})`)
    await stores.room(features.byteLength)
    stores.add({ batchIndex: cur.b, start: cur.start, count: cur.count, dim, seconds: secondsSince(tBatch) }, features)
    // Let SIGINT and IPC cancellation reach the signal between batches: a full event-loop turn at
    // least every 20 ms (a turn per batch costs too much per item on small models).
    if (performance.now() - lastTurn > 20) {
      await new Promise((r) => setImmediate(r))
      lastTurn = performance.now()
    }
    if (hooks.signal?.aborted) throw await cancelled()
  }
  await stores.drain()
}
