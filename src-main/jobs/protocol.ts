import type { WireError } from '../common/errors'

/** Messages from the backend to a job host child. */
export type ToJobHost =
  | { type: 'start'; jobId: string; kind: string; params: unknown; dataDir: string }
  | { type: 'cancel' }

/** Messages from a job host child to the backend. */
export type FromJobHost =
  | { type: 'progress'; fraction: number; message: string; etaSeconds: number | null }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: WireError }
  | { type: 'cancelled' }
