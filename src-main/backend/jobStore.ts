import type { JobState } from '../common/contract/jobs'
import type { Workspace } from '../core/store/workspace'

/** A row of the `jobs` table: every state change of a job, so a crashed one shows as failed. */
export interface JobRow {
  id: string
  kind: string
  title: string
  params: string
  /** `cancelling` between the request and the job host's answer. */
  state: JobState | 'cancelling'
  fraction: number
  message: string
  error: string | null
  /** The parameter the job failed over, when its error names one. */
  error_arg: string | null
  result: string | null
  pid: number | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

/** Jobs not yet finished by the record, with the process that runs them (null while queued). */
export function unfinishedJobs(ws: Workspace): { id: string; pid: number | null }[] {
  return ws.db.prepare("SELECT id, pid FROM jobs WHERE state IN ('running','queued')").all() as { id: string; pid: number | null }[]
}

/** The newest jobs first (the jobs panel shows at most `limit`). */
export function listJobRows(ws: Workspace, limit = 200): JobRow[] {
  return ws.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit) as JobRow[]
}

export function getJobRow(ws: Workspace, id: string): JobRow | undefined {
  return ws.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
}

export function insertQueuedJob(ws: Workspace, j: { id: string; kind: string; title: string; params: unknown; createdAt: string }): void {
  ws.db.prepare("INSERT INTO jobs(id, kind, title, params, state, created_at) VALUES (?,?,?,?, 'queued', ?)").run(j.id, j.kind, j.title, JSON.stringify(j.params ?? null), j.createdAt)
}

/** A job whose process is gone while the record says it runs (crash, forced quit). */
export function markJobLost(ws: Workspace, id: string, error: string): void {
  ws.db.prepare("UPDATE jobs SET state='failed', error=?, finished_at=? WHERE id=?").run(error, new Date().toISOString(), id)
}

export function markJobRunning(ws: Workspace, id: string, pid: number | null, startedAt: string): void {
  ws.db.prepare("UPDATE jobs SET state='running', pid=?, started_at=? WHERE id=?").run(pid, startedAt, id)
}

export function markJobCancelling(ws: Workspace, id: string): void {
  ws.db.prepare("UPDATE jobs SET state='cancelling', message='cancelling…' WHERE id=?").run(id)
}

/** Progress counts only while the job runs: a late message after the end does not overwrite it. */
export function setJobProgress(ws: Workspace, id: string, fraction: number, message: string): void {
  ws.db.prepare("UPDATE jobs SET fraction=?, message=? WHERE id=? AND state IN ('running','cancelling')").run(fraction, message, id)
}

/** Records the end of a job; `done` sets the fraction to 1, the message says how it ended. */
export function finishJobRow(ws: Workspace, id: string, state: Exclude<JobState, 'queued' | 'running'>, error: { message: string; arg?: string } | null, result: unknown): void {
  ws.db
    .prepare("UPDATE jobs SET state=?, error=?, error_arg=?, result=?, fraction=CASE WHEN ?='done' THEN 1 ELSE fraction END, message=?, finished_at=? WHERE id=?")
    .run(state, error?.message ?? null, error?.arg ?? null, result === null || result === undefined ? null : JSON.stringify(result), state, state, new Date().toISOString(), id)
}
