import { badInput } from '../../common/errors'

/**
 * Splits delimited text into rows of raw cells (RFC 4180): fields may be quoted with `"`, a quote inside
 * a quoted field is doubled, quoted fields may hold delimiters and line breaks. Accepts CRLF, LF or CR
 * line ends and a leading UTF-8 byte-order mark. Blank lines are dropped. `lines[i]` is the 1-based line
 * on which row i starts, so errors can name the row the user sees in an editor.
 */
export function parseDelimited(text: string, where: string, delimiter?: string): { rows: string[][]; lines: number[] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const delim = delimiter ?? sniffDelimiter(text)
  const rows: string[][] = []
  const lines: number[] = []
  let row: string[] = []
  let field = ''
  // Whether `field` holds only whitespace so far: a quote there opens a quoted field.
  let blank = true
  let quoted = false
  let fieldWasQuoted = false
  let line = 1
  let rowLine = 1
  const endRow = (): void => {
    row.push(field)
    if (!(row.length === 1 && blank && !fieldWasQuoted)) {
      rows.push(row)
      lines.push(rowLine)
    }
    row = []
    field = ''
    blank = true
    fieldWasQuoted = false
  }
  // Fields are copied as slices of runs between special characters, never a character at a time: a
  // 50 MB field appended char by char is 50M string pieces (gigabytes).
  const n = text.length
  for (let i = 0; i < n; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          blank = false
          i++
        } else quoted = false
      } else {
        let j = text.indexOf('"', i)
        if (j < 0) j = n
        for (let k = i; k < j; k++) {
          const c = text.charCodeAt(k)
          if (c === 0x0a || (c === 0x0d && text.charCodeAt(k + 1) !== 0x0a)) line++
        }
        const run = text.slice(i, j)
        if (blank && run.trim() !== '') blank = false
        field += run
        i = j - 1
      }
      continue
    }
    if (ch === '"' && blank) {
      quoted = true
      fieldWasQuoted = true
      field = ''
    } else if (ch === delim) {
      row.push(field)
      field = ''
      blank = true
      fieldWasQuoted = false
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      endRow()
      line++
      rowLine = line
    } else {
      let j = i + 1
      while (j < n) {
        const c = text[j]!
        if (c === delim || c === '\n' || c === '\r' || c === '"') break
        j++
      }
      const run = text.slice(i, j)
      if (blank && run.trim() !== '') blank = false
      field += run
      i = j - 1
    }
  }
  if (quoted) throw badInput(where, `line ${rowLine}: a quoted field is never closed`)
  if (field !== '' || row.length > 0 || fieldWasQuoted) endRow()
  return { rows, lines }
}

/** The delimiter of the first line: comma unless semicolons or tabs are clearly what separates fields. */
function sniffDelimiter(text: string): string {
  const first = text.split(/\r\n|\n|\r/, 1)[0] ?? ''
  const count = (c: string): number => first.split(c).length - 1
  const candidates: [string, number][] = [
    [',', count(',')],
    [';', count(';')],
    ['\t', count('\t')],
  ]
  candidates.sort((a, b) => b[1] - a[1])
  return candidates[0]![1] > 0 ? candidates[0]![0] : ','
}

