import type { Workspace } from '../store/workspace'
import { secondsSince, type ExtractTiming } from './extractProgress'
import type { BatchPreparer } from './preparer'
import { BatchRecorder, f32Bytes, type StoredBatch } from './store'

/** Most stores in flight, and most bytes of pooled features they hold. */
const MAX_STORES = 16
const MAX_STORE_BYTES = 64 * 2 ** 20

/**
 * Finished batches on their way to the disk. A store (hash, write, fsync, rename; in the worker when
 * there is one) takes a few ms, and sometimes tens when the prefetched batches ahead of it hold up the
 * worker, so several are in flight: up to MAX_STORES and MAX_STORE_BYTES of pooled features, the
 * oldest awaited before more start, which bounds memory. A batch's row is recorded once its file is
 * durable, a few to a transaction (BatchRecorder); `onStored` follows each. Time spent here counts as
 * store time.
 */
export class StoreQueue {
  private readonly inFlight: { done: Promise<void>; bytes: number }[] = []
  private bytes = 0
  private readonly recorder: BatchRecorder

  constructor(
    ws: Workspace,
    setId: string,
    private readonly preparer: Pick<BatchPreparer, 'store'>,
    private readonly timing: ExtractTiming,
    private readonly onStored: () => void,
  ) {
    this.recorder = new BatchRecorder(ws, setId)
  }

  /** Waits for the oldest stores until `bytes` more fit (0: until none is in flight). */
  async room(bytes: number): Promise<void> {
    const ts = performance.now()
    while (this.inFlight.length > 0 && (bytes === 0 || this.inFlight.length >= MAX_STORES || this.bytes + bytes > MAX_STORE_BYTES)) {
      const oldest = this.inFlight.shift()!
      this.bytes -= oldest.bytes
      await oldest.done
    }
    this.timing.store_s += secondsSince(ts)
  }

  /** Starts storing a batch's features (after `room`); `row` is its record, less the file. The features must not change until stored. */
  add(row: Omit<StoredBatch, 'stored'>, features: Float32Array): void {
    const ts = performance.now()
    const done = this.preparer.store(f32Bytes(features)).then((file) => {
      this.recorder.add({ ...row, stored: file })
      this.onStored()
    })
    done.catch(() => undefined)
    this.inFlight.push({ done, bytes: features.byteLength })
    this.bytes += features.byteLength
    if (this.recorder.due()) this.record()
    this.timing.store_s += secondsSince(ts)
  }

  /** Waits for every store in flight and records their batches (the end of the loop, or a cancel). */
  async drain(): Promise<void> {
    await this.room(0)
    this.record()
  }

  /**
   * Lets the stores still in flight finish (or fail), so none outlives the preparer; after an error,
   * records the batches that did reach the disk, so a rerun resumes after them.
   */
  async settle(failed: boolean): Promise<void> {
    await Promise.allSettled(this.inFlight.map((x) => x.done))
    if (!failed) return
    try {
      this.record()
    } catch {
      // the first error is the one to report
    }
  }

  private record(): void {
    this.recorder.flush()
  }
}
