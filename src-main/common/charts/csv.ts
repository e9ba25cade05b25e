/** A column: a row key, optionally with a different header text. */
export type CsvColumn = string | { key: string; header: string }

/** A plain decimal number (what a spreadsheet reads as a number, never as a formula). */
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/
/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * A text cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe, the OWASP-recommended neutralisation; numbers, also negative ones and numbers
 * given as text, are written as they are.
 */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) && !NUMBER_TEXT.test(s) ? `'${s}` : s
}

/**
 * One field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. Text that
 * would start a formula is neutralised first (neutraliseFormula).
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return ''
  let s: string
  if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : ''
  else if (Array.isArray(v)) s = v.map((x) => (x === null || x === undefined ? '' : String(x))).join(';')
  else if (typeof v === 'object') s = JSON.stringify(v)
  else s = String(v)
  if (typeof v !== 'number') s = neutraliseFormula(s)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * Rows as CSV text (RFC 4180: CRLF line ends, header line first). Missing and non-finite values are
 * empty fields; arrays are joined with ";" (e.g. a [lo, hi] interval), objects written as JSON.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly CsvColumn[]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { key: c, header: c } : c))
  const lines = [cols.map((c) => csvField(c.header)).join(',')]
  for (const r of rows) lines.push(cols.map((c) => csvField(r[c.key])).join(','))
  return lines.join('\r\n') + '\r\n'
}
