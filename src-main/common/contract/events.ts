import type { JobDto } from './jobs'
import type { WorkspaceArea } from './registry'

/** Events pushed from the backend to every window. */
export type AppEvent =
  | { type: 'job.progress'; job: JobDto }
  | { type: 'job.done'; job: JobDto }
  | { type: 'job.failed'; job: JobDto }
  | { type: 'workspace.changed'; area: WorkspaceArea }
