/** A column: a row key, optionally with a different header text. */
export type CsvColumn = string | { key: string; header: string }

/** One field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return ''
  let s: string
  if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : ''
  else if (Array.isArray(v)) s = v.map((x) => (x === null || x === undefined ? '' : String(x))).join(';')
  else if (typeof v === 'object') s = JSON.stringify(v)
  else s = String(v)
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
