import fs from 'node:fs'
import { badInput, isAppError } from '../../common/errors'

/**
 * Reading files the user names (datasets, evaluation outputs, mixture tables, `.npy`, tokenizer and
 * config JSON). Only regular files are read: a FIFO would block the reader forever, a device
 * (`/dev/zero`) never ends, a socket cannot be read at all. The file is opened non-blocking (opening a
 * FIFO for reading then returns at once instead of waiting for a writer) and checked on the open
 * descriptor, so a file swapped for a FIFO between a check and the open is still refused. Links are
 * followed; what they point to is what is checked.
 */

export interface UserFileOptions {
  /** Refuse files larger than this many bytes (the message gives both sizes). */
  maxBytes?: number
  /** What the file should be, for messages: "is a folder, not <what>". */
  what?: string
}

/** Default ceiling for text files read whole (manifests, evaluation outputs, tables): 1 GiB. */
export const MAX_TEXT_FILE_BYTES = 1 << 30

/** The kind of a non-regular file, in words. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isFIFO()) return 'a named pipe (FIFO)'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

/** The error for a path that exists but is not a regular file: "FILE: is a named pipe (FIFO), not WHAT". */
export function notRegular(file: string, st: fs.Stats, what: string): Error {
  const kind = kindOf(st)
  return badInput(file, kind === 'not a regular file' ? `is not a regular file; expected ${what}` : `is ${kind}, not ${what}`)
}

function openError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return badInput(file, 'file not found')
  if (code === 'EACCES' || code === 'EPERM') return badInput(file, 'cannot read (permission denied)')
  if (code === 'ELOOP') return badInput(file, 'cannot read (too many levels of symbolic links)')
  return badInput(file, `cannot read (${code ?? String(e)})`)
}

/** Stats `file` (following links) and refuses anything that is not a regular file. */
export function statUserFile(file: string, opts: UserFileOptions = {}): fs.Stats {
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch (e) {
    throw openError(file, e)
  }
  if (!st.isFile()) throw notRegular(file, st, opts.what ?? 'a file')
  if (opts.maxBytes !== undefined && st.size > opts.maxBytes) throw tooLarge(file, st.size, opts.maxBytes)
  return st
}

function tooLarge(file: string, size: number, max: number): Error {
  return badInput(file, `is ${formatBytes(size)}, more than the ${formatBytes(max)} this file may have`)
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`
  return `${n} bytes`
}

/**
 * An open descriptor on a regular file, and its size; the caller reads and closes it (`closeSync`).
 * Opened with O_NONBLOCK so that a FIFO swapped in after `statUserFile` does not block the open.
 */
export function openUserFile(file: string, opts: UserFileOptions = {}): { fd: number; size: number } {
  statUserFile(file, opts)
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (e) {
    throw openError(file, e)
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) throw notRegular(file, st, opts.what ?? 'a file')
    if (opts.maxBytes !== undefined && st.size > opts.maxBytes) throw tooLarge(file, st.size, opts.maxBytes)
    return { fd, size: st.size }
  } catch (e) {
    fs.closeSync(fd)
    throw e
  }
}

/** Reads `length` bytes at `position` into `into` (at `offset`), looping over short reads; returns bytes read. */
export function readFully(fd: number, into: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, into, offset + done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}

/**
 * The whole content of a regular file (see the module comment), at most `maxBytes`
 * (default `MAX_TEXT_FILE_BYTES`). A file that grows while it is read is cut at the size it had
 * when opened.
 */
export function readUserFile(file: string, opts: UserFileOptions = {}): Buffer {
  const { fd, size } = openUserFile(file, { ...opts, maxBytes: opts.maxBytes ?? MAX_TEXT_FILE_BYTES })
  try {
    const buf = Buffer.allocUnsafe(size)
    const n = readFully(fd, buf, 0, size, 0)
    return n === size ? buf : buf.subarray(0, n)
  } catch (e) {
    if (isAppError(e)) throw e
    throw openError(file, e)
  } finally {
    fs.closeSync(fd)
  }
}

/** `readUserFile` decoded as UTF-8 (invalid bytes become U+FFFD), without a leading byte-order mark. */
export function readUserText(file: string, opts: UserFileOptions = {}): string {
  const text = readUserFile(file, opts).toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
