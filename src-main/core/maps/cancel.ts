import { AppError } from '../../common/errors'

/** Throws CANCELLED when the map job was asked to stop (same code as jobs/context.ts `throwIfCancelled`). */
export function throwIfMapCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `${what} cancelled`)
}

/**
 * Lets pending events (a cancel message, a progress flush) run between synchronous chunks of work:
 * umap-js's epochs are plain CPU loops that would otherwise hold the event loop for the whole run.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
