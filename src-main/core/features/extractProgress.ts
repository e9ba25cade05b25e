import type { BatchHalved } from '../../common/contract/features'

/** Seconds since `since` (a `performance.now()` reading). */
export function secondsSince(since: number): number {
  return (performance.now() - since) / 1000
}

/**
 * Where an extraction's time goes, in seconds: setup (inspecting, hashing, creating the session, up to
 * the first batch), the batch loop, and within it the time awaiting session.run, preparing batches (or
 * waiting for the worker to), pooling outputs, and handing batches to the store (or waiting for it).
 */
export class ExtractTiming {
  setup_s = 0
  loop_s = 0
  session_run_s = 0
  prepare_s = 0
  pool_s = 0
  store_s = 0

  /** The figures, as the result reports them. */
  figures(): { setup_s: number; loop_s: number; session_run_s: number; prepare_s: number; pool_s: number; store_s: number } {
    return { setup_s: this.setup_s, loop_s: this.loop_s, session_run_s: this.session_run_s, prepare_s: this.prepare_s, pool_s: this.pool_s, store_s: this.store_s }
  }
}

/**
 * Progress of a (possibly resumed) extraction of `total` batches, `resumed` of them done before: a
 * batch counts once its file is durable, and the estimate of time left is the loop's mean time per
 * batch computed so far times the batches still to do.
 */
export class BatchProgress {
  /** Batches computed (and durably stored) by this run. */
  computed = 0
  private loopStart = performance.now()

  constructor(
    private readonly total: number,
    private readonly resumed: number,
    private readonly todo: number,
    private readonly report?: (fraction: number, message: string, etaSeconds: number | null) => void,
  ) {}

  /** Marks the start of the batch loop (the estimate's clock). */
  startLoop(at: number): void {
    this.loopStart = at
  }

  batchStored(): void {
    this.computed++
    const eta = (secondsSince(this.loopStart) / this.computed) * (this.todo - this.computed)
    this.report?.(this.done / this.total, `batch ${this.done}/${this.total}`, eta)
  }

  halved(h: BatchHalved): void {
    this.report?.(this.done / this.total, `out of memory with ${h.from} items per run; going on with ${h.to}`, null)
  }

  /** Batches done so far, resumed ones included. */
  get done(): number {
    return this.resumed + this.computed
  }
}
