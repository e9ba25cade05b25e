import { badArg, badInput } from '../../common/errors'
import type { Cell, MixtureTable } from '../../common/contract/mix'

export type { Cell, MixtureTable } from '../../common/contract/mix'

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-', '—', '–'])
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** A raw cell as a number, text or missing; numbers may carry a trailing `%` (the value stays in percent). */
function parseCell(raw: unknown): { value: Cell; decimals: number } {
  if (raw === null || raw === undefined) return { value: null, decimals: 0 }
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { value: null, decimals: 0 }
    return { value: raw, decimals: decimalsOf(String(raw)) }
  }
  if (typeof raw === 'boolean') return { value: String(raw), decimals: 0 }
  const s = String(raw).trim()
  if (MISSING.has(s.toLowerCase())) return { value: null, decimals: 0 }
  const t = s.endsWith('%') ? s.slice(0, -1).trim() : s
  if (NUMBER.test(t)) return { value: Number(t), decimals: decimalsOf(t) }
  return { value: s, decimals: 0 }
}

function decimalsOf(s: string): number {
  if (/e/i.test(s)) return 0
  const dot = s.indexOf('.')
  return dot < 0 ? 0 : s.length - dot - 1
}

/** Row position as shown in messages, with the row's label when the table has one. */
export function rowRef(t: MixtureTable, i: number, labelColumn?: string | null): string {
  const label = labelColumn ? t.rows[i]?.[labelColumn] : null
  return label !== null && label !== undefined && label !== '' ? `row ${t.rowNumbers[i]} (${label})` : `row ${t.rowNumbers[i]}`
}

/**
 * Builds a typed table from raw rows. The header is the first row with at least two non-empty cells
 * (title lines above it are skipped); a header made of numbers means the file has no header row.
 * A column is numeric when at least as many of its non-empty cells are numbers as are text; any text
 * left in a numeric column is an error naming the row and column.
 */
export function buildTable(name: string, format: MixtureTable['format'], raw: unknown[][], rawNumbers: number[]): MixtureTable {
  const nonEmpty = (r: unknown[]): number => r.filter((c) => c !== null && c !== undefined && String(c).trim() !== '').length
  const h = raw.findIndex((r) => nonEmpty(r) >= 2)
  if (raw.length === 0 || raw.every((r) => nonEmpty(r) === 0)) throw badInput(name, 'the file is empty (no header row and no data)')
  if (h < 0) throw badInput(name, 'no header row: expected a line of column names with at least two columns')
  const headerRaw = raw[h]!
  const header = headerRaw.map((c) => (c === null || c === undefined ? '' : String(c).trim()))
  const numericHeader = header.filter((c) => c !== '' && parseCell(c).value !== null && typeof parseCell(c).value === 'number')
  if (numericHeader.length > 0) {
    throw badInput(name, `line ${rawNumbers[h]} holds numbers (${numericHeader.slice(0, 3).join(', ')}), not column names; add a header row`)
  }
  const body = raw.slice(h + 1)
  const bodyNumbers = rawNumbers.slice(h + 1)
  let width = header.length
  while (width > 0 && header[width - 1] === '' && body.every((r) => parseCell(r[width - 1]).value === null)) width--
  const columns = header.slice(0, width)
  const seen = new Set<string>()
  columns.forEach((c, j) => {
    if (c === '') throw badInput(name, `column ${j + 1} has data but no name in the header`)
    if (seen.has(c)) throw badInput(name, `column "${c}" appears twice in the header`)
    seen.add(c)
  })

  const rows: Record<string, Cell>[] = []
  const rowNumbers: number[] = []
  const decimals: Record<string, number> = {}
  const counts = columns.map(() => ({ num: 0, text: 0 }))
  body.forEach((r, i) => {
    if (nonEmpty(r) === 0) return
    for (let j = width; j < r.length; j++) {
      if (parseCell(r[j]).value !== null) throw badInput(name, `row ${bodyNumbers[i]} has ${nonEmpty(r)} cells but the header names only ${width} columns`)
    }
    const rec: Record<string, Cell> = {}
    columns.forEach((c, j) => {
      const p = parseCell(r[j])
      rec[c] = p.value
      if (typeof p.value === 'number') {
        counts[j]!.num++
        decimals[c] = Math.max(decimals[c] ?? 0, p.decimals)
      } else if (typeof p.value === 'string') counts[j]!.text++
    })
    rows.push(rec)
    rowNumbers.push(bodyNumbers[i]!)
  })
  if (rows.length === 0) throw badInput(name, 'has a header but no data rows')

  const numeric = columns.filter((_, j) => counts[j]!.num > 0 && counts[j]!.num >= counts[j]!.text)
  const table: MixtureTable = { name, format, columns, numeric, rows, rowNumbers, decimals: {} }
  const label = labelColumn(table)
  for (const c of numeric) {
    table.decimals[c] = decimals[c] ?? 0
    rows.forEach((rec, i) => {
      const v = rec[c]
      if (typeof v === 'string') throw badInput(name, `${rowRef(table, i, label)}, column "${c}": expected a number, got "${v}"`)
    })
  }
  return table
}

/**
 * Set views of a table's column lists, built once per table (and again if a list is replaced or grows):
 * tables may have 100,000 columns, and a lookup per column in the arrays made every analysis quadratic.
 */
const columnSets = new WeakMap<MixtureTable, { columns: string[]; numeric: string[]; nc: number; nn: number; all: Set<string>; num: Set<string> }>()

function setsOf(t: MixtureTable): { all: Set<string>; num: Set<string> } {
  let s = columnSets.get(t)
  if (!s || s.columns !== t.columns || s.numeric !== t.numeric || s.nc !== t.columns.length || s.nn !== t.numeric.length) {
    s = { columns: t.columns, numeric: t.numeric, nc: t.columns.length, nn: t.numeric.length, all: new Set(t.columns), num: new Set(t.numeric) }
    columnSets.set(t, s)
  }
  return s
}

/** Whether `c` is one of the table's numeric columns. */
export function isNumericColumn(t: MixtureTable, c: string): boolean {
  return setsOf(t).num.has(c)
}

/** The first text column (e.g. `recipe`, `source`): used to name rows. */
export function labelColumn(t: MixtureTable): string | null {
  const { num } = setsOf(t)
  return t.columns.find((c) => !num.has(c)) ?? null
}

/**
 * The numeric values of column `c` in row order (null where missing); throws if `c` is absent or text,
 * naming the table, or `arg` when the column was a request argument (`target`).
 */
export function numericColumn(t: MixtureTable, c: string, arg?: string): (number | null)[] {
  const { all, num } = setsOf(t)
  const fault = (problem: string) => (arg ? badArg(arg, problem) : badInput(t.name, problem))
  if (!all.has(c)) throw fault(`no column "${c}" (columns: ${listColumns(t.columns)})`)
  if (!num.has(c)) throw fault(`column "${c}" holds text, not numbers`)
  return t.rows.map((r) => r[c] as number | null)
}

/** Column names for a message: all of them up to 50, else the first 50 and how many more. */
export function listColumns(columns: readonly string[]): string {
  return columns.length <= 50 ? columns.join(', ') : `${columns.slice(0, 50).join(', ')}, … (${columns.length - 50} more)`
}
