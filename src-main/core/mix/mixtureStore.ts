import crypto from 'node:crypto'
import path from 'node:path'
import { AppError } from '../../common/errors'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'
import { detectLayout, type MixtureLayout } from './layout'
import { readMixtureTable } from './readTable'
import type { MixtureTable } from './table'
import type { MixtureTableSummary } from '../../common/contract/mix'

export type { MixtureTableSummary } from '../../common/contract/mix'

export interface StoredMixtureTable {
  summary: MixtureTableSummary
  table: MixtureTable
  layout: MixtureLayout
}

interface Row {
  id: string
  name: string
  path: string
  sha256: string
  format: string
  kind: string
  columns: string
  numeric: string
  layout: string
  rows: string
  row_numbers: string
  decimals: string
  n_rows: number
  added_at: string
}

function summaryOf(r: Row): MixtureTableSummary {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    sha256: r.sha256,
    format: r.format as MixtureTable['format'],
    kind: r.kind as MixtureLayout['kind'],
    columns: JSON.parse(r.columns) as string[],
    rows: r.n_rows,
    addedAt: r.added_at,
  }
}

/**
 * Reads, validates and stores a mixture table. Importing the same file with the same content again
 * returns the stored entry; a changed file becomes a new entry (the old analysis stays reproducible).
 * The id is derived from (absolute path, SHA-256), so importing the same file again finds the same entry.
 */
export async function importMixtureTable(ws: Workspace, file: string): Promise<MixtureTableSummary> {
  const abs = path.resolve(file)
  const table = await readMixtureTable(abs)
  const layout = detectLayout(table)
  const { sha256 } = fileSha256(ws, abs)
  const id = 'mt_' + crypto.createHash('sha256').update(`${abs}\0${sha256}`).digest('hex').slice(0, 16)
  const existing = ws.db.prepare('SELECT * FROM mixture_tables WHERE id = ?').get(id) as Row | undefined
  if (existing) return summaryOf(existing)
  const row: Row = {
    id,
    name: path.basename(abs),
    path: abs,
    sha256,
    format: table.format,
    kind: layout.kind,
    columns: JSON.stringify(table.columns),
    numeric: JSON.stringify(table.numeric),
    layout: JSON.stringify(layout),
    rows: JSON.stringify(table.rows),
    row_numbers: JSON.stringify(table.rowNumbers),
    decimals: JSON.stringify(table.decimals),
    n_rows: table.rows.length,
    added_at: new Date().toISOString(),
  }
  ws.tx(() => {
    ws.db
      .prepare(
        `INSERT INTO mixture_tables (id, name, path, sha256, format, kind, columns, numeric, layout, rows, row_numbers, decimals, n_rows, added_at)
         VALUES (@id, @name, @path, @sha256, @format, @kind, @columns, @numeric, @layout, @rows, @row_numbers, @decimals, @n_rows, @added_at)
         ON CONFLICT(id) DO NOTHING`,
      )
      .run(row)
  })
  return summaryOf(row)
}

/** Every stored table, newest first. */
export function countMixtureTables(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM mixture_tables').get() as { n: number }).n
}

export function listMixtureTables(ws: Workspace): MixtureTableSummary[] {
  return (ws.db.prepare('SELECT * FROM mixture_tables ORDER BY added_at DESC, name').all() as Row[]).map(summaryOf)
}

export function getMixtureTable(ws: Workspace, id: string): StoredMixtureTable {
  const r = ws.db.prepare('SELECT * FROM mixture_tables WHERE id = ?').get(id) as Row | undefined
  if (!r) throw new AppError('NOT_FOUND', `mixture table ${id}: not in this workspace`)
  const table: MixtureTable = {
    name: r.name,
    format: r.format as MixtureTable['format'],
    columns: JSON.parse(r.columns) as string[],
    numeric: JSON.parse(r.numeric) as string[],
    rows: JSON.parse(r.rows) as MixtureTable['rows'],
    rowNumbers: JSON.parse(r.row_numbers) as number[],
    decimals: JSON.parse(r.decimals) as Record<string, number>,
  }
  return { summary: summaryOf(r), table, layout: JSON.parse(r.layout) as MixtureLayout }
}

/** Removes a stored table; false when there was none with this id. */
export function deleteMixtureTable(ws: Workspace, id: string): boolean {
  return ws.tx(() => ws.db.prepare('DELETE FROM mixture_tables WHERE id = ?').run(id).changes > 0)
}
