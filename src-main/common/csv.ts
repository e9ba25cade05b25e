/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled; CRLF line ends. */
export function toCsv(rows: Record<string, unknown>[], columns: { key: string; label: string }[]): string {
  const field = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'object' ? JSON.stringify(v) : String(v)
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  const lines = [columns.map((c) => field(c.label)).join(',')]
  for (const r of rows) lines.push(columns.map((c) => field(r[c.key])).join(','))
  return lines.join('\r\n') + '\r\n'
}
