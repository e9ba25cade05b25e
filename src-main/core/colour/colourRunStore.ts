import crypto from 'node:crypto'
import type { ColourRun } from '../../common/contract/colour'
import type { Workspace } from '../store/workspace'

interface Row {
  id: string
  params: string
  result: string
  seconds: number
  created_at: string
}

/** Stores a finished colour experiment with the parameters that produced it; returns its id. */
export function saveColourRun(ws: Workspace, run: Pick<ColourRun, 'params' | 'result' | 'seconds'>): string {
  const id = `colour_${crypto.randomBytes(5).toString('hex')}`
  ws.db
    .prepare('INSERT INTO colour_runs(id, params, result, seconds, created_at) VALUES (?,?,?,?,?)')
    .run(id, JSON.stringify(run.params), JSON.stringify(run.result), run.seconds, new Date().toISOString())
  return id
}

/** The newest colour run (the one the view and the report show), or null before the first. */
export function latestColourRun(ws: Workspace): ColourRun | null {
  const r = ws.db.prepare('SELECT * FROM colour_runs ORDER BY created_at DESC LIMIT 1').get() as Row | undefined
  if (!r) return null
  return { id: r.id, params: JSON.parse(r.params) as ColourRun['params'], result: JSON.parse(r.result) as ColourRun['result'], seconds: r.seconds, createdAt: r.created_at }
}
