import { isUtf8 } from 'node:buffer'
import { badInput } from '../../common/errors'
import fs from 'node:fs'
import { formatBytes, openUserFile, readFully, readUserFile, readUserText, type UserFileOptions } from './userFile'

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
 * on its own, plus warnings for lines with invalid UTF-8. Read in chunks (`streamUserLines`): memory
 * is what the lines hold, never the whole file at once.
 */
export function readUserLines(file: string, opts: LinesOptions): { lines: TextLine[]; warnings: string[] } {
  const bad = new Utf8Warnings(file)
  const lines: TextLine[] = []
  streamUserLines(file, opts, (bytes, line) => {
    if (!isUtf8(bytes)) bad.add(line)
    const text = bytes.toString('utf8')
    if (text.trim() !== '') lines.push({ text, line })
  })
  return { lines, warnings: bad.messages() }
}

export interface StreamLinesOptions extends UserFileOptions {
  /** A line longer than this many bytes is refused, naming it (its length is counted, not kept). */
  maxLineBytes?: number
  /** Keep at most this many bytes of each line; the callback still gets the full length. */
  keepBytes?: number
  /** Bytes read at a time (tests make it tiny to cross every boundary). */
  chunkBytes?: number
}

/**
 * Calls `fn` with each line of a regular file (the same lines as `forEachLine`: LF or CRLF, a leading
 * byte-order mark skipped, no empty segment after the last line break), its 1-based number and its full
 * length in bytes. The file is read in chunks; a line's bytes are kept only up to `keepBytes`, so a
 * 500 MB line costs its first `keepBytes`, and a line over `maxLineBytes` is refused.
 */
export function streamUserLines(file: string, opts: StreamLinesOptions, fn: (bytes: Buffer, line: number, length: number) => void): void {
  const { fd } = openUserFile(file, opts)
  const keep = opts.keepBytes ?? Infinity
  const chunk = Buffer.allocUnsafe(Math.max(1, opts.chunkBytes ?? 1 << 20))
  let parts: Buffer[] = []
  let kept = 0
  let length = 0
  let last = -1
  let line = 1
  // Over `maxLineBytes` already: the line is only counted now (for the message), not kept.
  let dropping = false
  const add = (b: Buffer): void => {
    if (b.length === 0) return
    length += b.length
    last = b[b.length - 1]!
    if (!dropping && kept < keep) {
      const take = b.subarray(0, Math.min(b.length, keep - kept))
      parts.push(Buffer.from(take)) // the chunk is reused: copy
      kept += take.length
    }
  }
  const finish = (terminated: boolean): void => {
    const len = terminated && last === 0x0d ? length - 1 : length
    if (opts.maxLineBytes !== undefined && len > opts.maxLineBytes) {
      throw badInput(`${file}:${line}`, `the line is ${formatBytes(len)} long, more than the ${formatBytes(opts.maxLineBytes)} a line may have`)
    }
    if (terminated || length > 0) {
      const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
      fn(all.length > len ? all.subarray(0, len) : all, line, len)
    }
    parts = []
    kept = 0
    length = 0
    last = -1
    dropping = false
    line++
  }
  try {
    const bom = Buffer.alloc(3)
    let pos = readFully(fd, bom, 0, 3, 0) === 3 && bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf ? 3 : 0
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, pos)
      if (n === 0) break
      pos += n
      let start = 0
      for (;;) {
        const nl = chunk.indexOf(0x0a, start)
        if (nl < 0 || nl >= n) {
          add(chunk.subarray(start, n))
          break
        }
        add(chunk.subarray(start, nl))
        finish(true)
        start = nl + 1
      }
      // Past the limit with no line break yet: count on, but keep nothing more (add keeps up to `keep`).
      if (opts.maxLineBytes !== undefined && length > opts.maxLineBytes + 1 && !dropping) {
        parts = []
        dropping = true
      }
    }
    finish(false)
  } finally {
    fs.closeSync(fd)
  }
}

/** Calls `fn` with the byte range of each line (without its CR LF / LF), BOM skipped. */
export function forEachLine(buf: Buffer, fn: (start: number, end: number, line: number) => void): void {
  let start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
  let line = 1
  while (start <= buf.length) {
    let nl = buf.indexOf(0x0a, start)
    if (nl < 0) nl = buf.length
    // CR is part of the line break only before LF (as `split(/\r?\n/)` reads it).
    const end = nl < buf.length && nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl
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

/**
 * A user's JSON config file (config.json, tokenizer files, processor configs) read as one JSON object:
 * a regular file only, nesting bounded before parsing, and a clear error naming the file otherwise.
 */
export function readUserJsonObject(file: string): Record<string, unknown> {
  const text = readUserText(file, { what: 'a JSON file' })
  checkJsonDepth(file, text)
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw badInput(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badInput(file, 'expected a JSON object')
  return v as Record<string, unknown>
}
