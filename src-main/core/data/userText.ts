import { isUtf8 } from 'node:buffer'
import { badInput } from '../../common/errors'
import { formatBytes, readUserFile, type UserFileOptions } from './userFile'

/**
 * Text and JSON from files the user names, read so that their size bounds the work: lines are split
 * on the bytes and decoded one at a time (never the whole file as one string), a line longer than a
 * limit is refused before it is decoded, invalid UTF-8 is decoded with U+FFFD and reported as a warning
 * naming the line, and JSON is checked for absurd nesting before it is parsed (V8 parses 100,000
 * nested arrays, but every recursive step after that — JSON.stringify, structured clone to another
 * process — overflows the stack).
 */

/** Deepest JSON nesting accepted in user files; real datasets and evaluation rows use a handful. */
export const MAX_JSON_DEPTH = 1000

/** Invalid-UTF-8 warnings listed one by one per file; the rest are counted. */
const MAX_UTF8_WARNINGS = 10

/** Refuses JSON text whose arrays/objects nest deeper than `MAX_JSON_DEPTH` (one linear scan, strings skipped). */
export function checkJsonDepth(where: string, text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // Skip the string, honouring backslash escapes.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw badInput(where, `JSON nested more than ${max} levels deep`)
    } else if (c === 0x5d || c === 0x7d) depth--
  }
}

/** One non-blank line of a text file, decoded, with its 1-based line number. */
export interface TextLine {
  text: string
  line: number
}

export interface LinesOptions extends UserFileOptions {
  /** A line longer than this many bytes is refused (naming the line) before it is decoded. */
  maxLineBytes: number
}

/** Warnings for lines that are not valid UTF-8 (they are decoded with U+FFFD in place of the bad bytes). */
export class Utf8Warnings {
  readonly lines: number[] = []
  constructor(readonly file: string) {}
  add(line: number): void {
    this.lines.push(line)
  }
  messages(): string[] {
    const shown = this.lines.slice(0, MAX_UTF8_WARNINGS).map((l) => `${this.file}:${l}: invalid UTF-8 (the bad bytes were read as U+FFFD)`)
    const more = this.lines.length - shown.length
    if (more > 0) shown.push(`${this.file}: ${more} more line${more === 1 ? '' : 's'} with invalid UTF-8`)
    return shown
  }
}

/**
 * The non-blank lines of a regular file (LF or CRLF, a leading byte-order mark dropped), each decoded
 * on its own, plus warnings for lines with invalid UTF-8.
 */
export function readUserLines(file: string, opts: LinesOptions): { lines: TextLine[]; warnings: string[] } {
  const buf = readUserFile(file, opts)
  const bad = new Utf8Warnings(file)
  const lines: TextLine[] = []
  forEachLine(buf, (start, end, line) => {
    if (end - start > opts.maxLineBytes) {
      throw badInput(`${file}:${line}`, `the line is ${formatBytes(end - start)} long, more than the ${formatBytes(opts.maxLineBytes)} a line may have`)
    }
    const bytes = buf.subarray(start, end)
    if (!isUtf8(bytes)) bad.add(line)
    const text = bytes.toString('utf8')
    if (text.trim() !== '') lines.push({ text, line })
  })
  return { lines, warnings: bad.messages() }
}

/** Calls `fn` with the byte range of each line (without its CR LF / LF), BOM skipped. */
export function forEachLine(buf: Buffer, fn: (start: number, end: number, line: number) => void): void {
  let start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
  let line = 1
  while (start <= buf.length) {
    let nl = buf.indexOf(0x0a, start)
    if (nl < 0) nl = buf.length
    const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl
    if (!(nl === buf.length && start === nl)) fn(start, end, line)
    start = nl + 1
    line++
  }
}

/** Warnings naming the lines of `buf` that are not valid UTF-8 (none when the whole file is valid: one check). */
export function utf8Warnings(file: string, buf: Buffer): string[] {
  if (isUtf8(buf)) return []
  const bad = new Utf8Warnings(file)
  forEachLine(buf, (start, end, line) => {
    if (!isUtf8(buf.subarray(start, end))) bad.add(line)
  })
  return bad.messages()
}

/** A whole text file (BOM dropped) and its invalid-UTF-8 warnings. */
export function readUserTextChecked(file: string, opts: UserFileOptions = {}): { text: string; warnings: string[] } {
  const buf = readUserFile(file, opts)
  const warnings = utf8Warnings(file, buf)
  const text = buf.toString('utf8')
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, warnings }
}
