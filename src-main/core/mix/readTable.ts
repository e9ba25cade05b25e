import path from 'node:path'
import ExcelJS from 'exceljs'
import { badInput } from '../../common/errors'
import { parseDelimited } from '../data/csv'
import { readUserFile } from '../data/userFile'
import { checkJsonDepth } from '../data/userText'
import { checkZipBounds } from '../data/zipBounds'
import { buildTable, type MixtureTable } from './table'

export type TableFormat = MixtureTable['format']

/** The format implied by a file name's extension (.csv/.tsv/.txt, .json, .xlsx). */
export function formatOf(file: string): TableFormat {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv'
  if (ext === '.json') return 'json'
  if (ext === '.xlsx') return 'xlsx'
  throw badInput(path.basename(file), `unsupported table format "${ext || '(none)'}"; expected .csv, .json or .xlsx`)
}

/** Reads a mixture table (recipe table, long-form grid or per-source category table) from a file. */
export async function readMixtureTable(file: string): Promise<MixtureTable> {
  const name = path.basename(file)
  const format = formatOf(file)
  const buf = readUserFile(file, { what: 'a table file' })
  if (buf.length === 0) throw badInput(name, 'the file is empty (no header row and no data)')
  return parseMixtureTable(buf, name, format)
}

/** Parses table content already in memory (the UI hands over dropped files this way). */
export async function parseMixtureTable(content: Buffer | string, name: string, format: TableFormat): Promise<MixtureTable> {
  if (format === 'xlsx') return parseXlsx(typeof content === 'string' ? Buffer.from(content) : content, name)
  const text = typeof content === 'string' ? content : content.toString('utf8')
  return format === 'json' ? parseJsonTable(text, name) : parseCsvTable(text, name)
}

export function parseCsvTable(text: string, name: string): MixtureTable {
  const { rows, lines } = parseDelimited(text, name, name.toLowerCase().endsWith('.tsv') ? '\t' : undefined)
  return buildTable(name, 'csv', rows, lines)
}

/**
 * JSON tables: an array of row objects, `{ "rows": [objects] }`, or `{ "columns": [...], "rows": [[...]] }`.
 * Column order is the first-seen order of keys across rows.
 */
export function parseJsonTable(text: string, name: string): MixtureTable {
  if (text.trim() === '') throw badInput(name, 'the file is empty (no header row and no data)')
  checkJsonDepth(name, text)
  let doc: unknown
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (e) {
    throw badInput(name, `not valid JSON (${(e as Error).message})`)
  }
  let columns: string[] | null = null
  let rows: unknown
  if (Array.isArray(doc)) rows = doc
  else if (doc && typeof doc === 'object') {
    const o = doc as Record<string, unknown>
    rows = o.rows ?? o.data ?? o.recipes
    if (Array.isArray(o.columns)) columns = o.columns.map((c) => String(c))
  }
  if (!Array.isArray(rows)) throw badInput(name, 'expected an array of row objects, or an object with "rows" (and optionally "columns")')
  if (rows.length === 0) throw badInput(name, 'has no data rows')
  if (rows.every((r) => Array.isArray(r))) {
    if (!columns) throw badInput(name, 'rows are arrays but there is no "columns" list naming them')
    return buildTable(name, 'json', [columns, ...(rows as unknown[][])], [0, ...rows.map((_, i) => i + 1)])
  }
  const order: string[] = columns ? [...columns] : []
  const known = new Set(order)
  rows.forEach((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw badInput(name, `row ${i + 1}: expected an object of column → value`)
    for (const k of Object.keys(r as object)) {
      if (known.has(k)) continue
      known.add(k)
      order.push(k)
    }
  })
  const grid: unknown[][] = [order, ...rows.map((r, i) => order.map((k) => jsonCell((r as Record<string, unknown>)[k], name, i + 1, k)))]
  return buildTable(name, 'json', grid, [0, ...rows.map((_, i) => i + 1)])
}

function jsonCell(v: unknown, name: string, row: number, col: string): unknown {
  if (v !== null && typeof v === 'object') throw badInput(name, `row ${row}, column "${col}": expected a number or text, got ${Array.isArray(v) ? 'an array' : 'an object'}`)
  return v
}

/** The first worksheet that holds any values; formula cells contribute their cached result. */
async function parseXlsx(buf: Buffer, name: string): Promise<MixtureTable> {
  checkZipBounds(name, buf)
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer)
  } catch (e) {
    throw badInput(name, `not a readable .xlsx workbook (${(e as Error).message})`)
  }
  const sheet = wb.worksheets.find((s) => s.actualRowCount > 0)
  if (!sheet) throw badInput(name, 'the workbook has no sheet with data')
  const raw: unknown[][] = []
  const numbers: number[] = []
  // actualColumnCount walks every row each time it is read: once, not once per cell.
  const columnCount = sheet.actualColumnCount
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: unknown[] = []
    for (let c = 1, n = Math.max(columnCount, row.cellCount); c <= n; c++) cells.push(xlsxValue(row.getCell(c).value))
    raw.push(cells)
    numbers.push(rowNumber)
  })
  return buildTable(`${name} [${sheet.name}]`, 'xlsx', raw, numbers)
}

function xlsxValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'object') {
    if ('result' in v) return xlsxValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue)
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('')
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text)
    if ('error' in v) return null
  }
  return String(v)
}
