import { secondsSince, type ExtractTiming } from './extractProgress'
import type { PlainFeed } from './prepare'
import type { BatchPreparer } from './preparer'

/** A batch requested from the preparer: its index, its items `[start, start + count)`, and its inputs to come. */
export interface RequestedBatch {
  b: number
  start: number
  count: number
  feeds: Promise<PlainFeed[]>
}

/**
 * Batches requested from the preparer ahead of the one running: four, so the worker absorbs a slow
 * batch (a garbage collection in the worker takes as long as a few batches of a small model) without
 * the session waiting; two ahead are not always enough for a small model on few cores.
 */
export const PREFETCH = 4

/**
 * Requests the batches `todo` (indices of `batchSize` items of `itemCount`) from the preparer in order,
 * `PREFETCH` ahead of the one taken. Inline, a request is the whole preparation; with the worker, it
 * is posting the request; either way it counts as prepare time. Nothing more is requested once
 * `signal` is aborted.
 */
export class BatchPrefetch {
  private readonly queue: RequestedBatch[] = []
  /** Position in `todo` of the next batch to request. */
  private next = 0
  /** Batches handed out by `take`. */
  private taken = 0

  constructor(
    private readonly preparer: BatchPreparer,
    private readonly todo: readonly number[],
    private readonly batchSize: number,
    private readonly itemCount: number,
    private readonly timing: ExtractTiming,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * With a worker, queues the first batches before the session is created, so it prepares them
   * meanwhile; one it has not started on by the time it is needed is prepared here instead (`need`).
   */
  start(): void {
    if (this.preparer.mode !== 'inline') this.request(PREFETCH - 1)
  }

  /** The next batch of `todo`, with the `PREFETCH` after it requested; null once cancelled before it was requested. */
  take(): RequestedBatch | null {
    this.request(this.taken + PREFETCH)
    const cur = this.queue.shift()
    if (!cur) return null
    this.taken++
    return cur
  }

  /** Requests every batch up to position `upTo` of `todo` not requested yet. */
  private request(upTo: number): void {
    while (this.next <= upTo && this.next < this.todo.length && !this.signal?.aborted) this.queue.push(this.one(this.todo[this.next++]!))
  }

  private one(b: number): RequestedBatch {
    const start = b * this.batchSize
    const end = Math.min(this.itemCount, start + this.batchSize)
    const tq = performance.now()
    const feeds = this.preparer.prepare(start, end)
    this.timing.prepare_s += secondsSince(tq)
    // Rejections are handled where the batch is awaited; this keeps one from being reported as unhandled meanwhile.
    feeds.catch(() => undefined)
    return { b, start, count: end - start, feeds }
  }
}
