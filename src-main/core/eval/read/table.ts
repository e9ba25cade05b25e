import path from 'node:path'
import ExcelJS from 'exceljs'
import { badInput } from '../../../common/errors'
import { parseDelimited as parseCsvRows } from '../../data/csv'
import { readUserFile } from '../../data/userFile'
import { checkJsonDepth, readUserTextChecked } from '../../data/userText'
import { checkZipBounds, XLSX_LIMITS } from '../../data/zipBounds'

/** A table as header-keyed records; cell values are strings, numbers, booleans or null. */
export type Cell = string | number | boolean | null
export type TableRow = Record<string, Cell>

/**
 * RFC 4180 delimited text (also pandas' TSV output): quoted fields may hold the delimiter, newlines and
 * doubled quotes. The first record is the header.
 */
export function parseDelimited(file: string, text: string, delim: ',' | '\t'): TableRow[] {
  const { rows: records, lines } = parseCsvRows(text, file, delim)
  if (records.length === 0) throw badInput(file, 'is empty; expected a header row and one row per question')
  const header = records[0]!.map((h) => h.trim())
  return records.slice(1).map((r, ri) => {
    if (r.length > header.length) throw badInput(`${file}:${lines[ri + 1]}`, `has ${r.length} fields but the header has ${header.length}`)
    const row: TableRow = {}
    header.forEach((h, j) => (row[h] = r[j] ?? null))
    return row
  })
}

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('result' in v) return cellValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue)
    if ('text' in v) return String((v as { text: unknown }).text)
    if ('error' in v) return null
  }
  return String(v)
}

/** First worksheet of an .xlsx workbook, read with exceljs; row 1 is the header. */
export async function readXlsx(file: string): Promise<TableRow[]> {
  const buf = readUserFile(file, { what: 'an .xlsx workbook', maxBytes: XLSX_LIMITS.maxTotalBytes })
  checkZipBounds(file, buf)
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer)
  } catch (e) {
    throw badInput(file, `cannot be read as an .xlsx workbook (${(e as Error).message})`)
  }
  const ws = wb.worksheets[0]
  if (!ws) throw badInput(file, 'the workbook has no worksheet')
  const header: string[] = []
  ws.getRow(1).eachCell({ includeEmpty: true }, (c, col) => (header[col - 1] = String(cellValue(c.value) ?? '').trim()))
  if (header.length === 0) throw badInput(file, 'the first worksheet is empty; expected a header row')
  const rows: TableRow[] = []
  for (let r = 2; r <= ws.rowCount; r++) {
    const xr = ws.getRow(r)
    if (!xr.hasValues) continue
    const row: TableRow = {}
    header.forEach((h, j) => (row[h] = cellValue(xr.getCell(j + 1).value)))
    rows.push(row)
  }
  return rows
}

/**
 * A JSON table: an array of records, pandas' `orient='records'`, or pandas' default `orient='columns'`
 * ({column: {rowKey: value}}) as VLMEvalKit's dump() writes it.
 */
export function parseJsonTable(file: string, text: string): TableRow[] {
  let v: unknown
  checkJsonDepth(file, text)
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (e) {
    throw badInput(file, `not valid JSON (${(e as Error).message})`)
  }
  const asCell = (x: unknown): Cell => (x === null || x === undefined ? null : typeof x === 'object' ? JSON.stringify(x) : (x as Cell))
  if (Array.isArray(v)) {
    return v.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw badInput(file, `element ${i} is not an object; expected an array of records`)
      return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, asCell(x)]))
    })
  }
  if (typeof v === 'object' && v !== null) {
    const cols = Object.entries(v as Record<string, unknown>)
    if (cols.length && cols.every(([, c]) => typeof c === 'object' && c !== null && !Array.isArray(c))) {
      const keys = Object.keys(cols[0]![1] as object)
      return keys.map((k) => Object.fromEntries(cols.map(([name, c]) => [name, asCell((c as Record<string, unknown>)[k])])))
    }
  }
  throw badInput(file, 'expected a JSON array of records or a pandas column-oriented table')
}

/** Reads .xlsx / .csv / .tsv / .json tables by extension; lines with invalid UTF-8 are reported into `warnings`. */
export async function readTable(file: string, warnings: string[] = []): Promise<TableRow[]> {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.xlsx') return readXlsx(file)
  const read = readUserTextChecked(file, { what: 'a table file' })
  warnings.push(...read.warnings)
  const text = read.text
  if (ext === '.csv') return parseDelimited(file, text, ',')
  if (ext === '.tsv') return parseDelimited(file, text, '\t')
  if (ext === '.json') return parseJsonTable(file, text)
  throw badInput(file, `unsupported table extension '${ext}'; expected .xlsx, .tsv, .csv or .json`)
}
