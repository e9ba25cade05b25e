import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Statement } from 'better-sqlite3'
import type { Workspace } from './workspace'
import { badInput } from '../../common/errors'
import { notRegular } from '../data/userFile'

/** The cache's two statements, prepared once per connection (preparing costs more than running). */
const statements = new WeakMap<Workspace['db'], { get: Statement; put: Statement }>()

function cacheStatements(ws: Workspace): { get: Statement; put: Statement } {
  let st = statements.get(ws.db)
  if (!st) {
    st = {
      get: ws.db.prepare('SELECT bytes, mtime_ms, sha256 FROM file_hashes WHERE path = ?'),
      put: ws.db.prepare('INSERT INTO file_hashes(path, bytes, mtime_ms, sha256) VALUES (?,?,?,?) ON CONFLICT(path) DO UPDATE SET bytes=excluded.bytes, mtime_ms=excluded.mtime_ms, sha256=excluded.sha256'),
    }
    statements.set(ws.db, st)
  }
  return st
}

/** One read buffer for the thread (hashing is synchronous), grown to the largest file up to 4 MiB. */
let readBuffer: Buffer | null = null

/**
 * SHA-256 of a file, cached by (absolute path, size, mtime) so a multi-GB checkpoint is read once,
 * not on every run. Streaming keeps memory flat. `known` saves a stat when the caller has one.
 */
export function fileSha256(ws: Workspace | null, file: string, known?: fs.Stats): { sha256: string; bytes: number; cached: boolean } {
  const abs = path.resolve(file)
  let st: fs.Stats
  try {
    st = known ?? fs.statSync(abs)
  } catch {
    throw badInput(abs, 'file not found')
  }
  if (!st.isFile()) throw notRegular(abs, st, 'a regular file')
  if (ws) {
    const row = cacheStatements(ws).get.get(abs) as { bytes: number; mtime_ms: number; sha256: string } | undefined
    if (row && row.bytes === st.size && row.mtime_ms === st.mtimeMs) return { sha256: row.sha256, bytes: st.size, cached: true }
  }
  const h = crypto.createHash('sha256')
  const want = Math.min(1 << 22, Math.max(1 << 16, st.size))
  if (!readBuffer || readBuffer.length < want) readBuffer = Buffer.allocUnsafe(want)
  const buf = readBuffer
  // Non-blocking: a FIFO swapped in after the stat must not hang the open (reads then fail, not block).
  const fd = fs.openSync(abs, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      h.update(buf.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  const sha256 = h.digest('hex')
  if (ws) cacheStatements(ws).put.run(abs, st.size, st.mtimeMs, sha256)
  return { sha256, bytes: st.size, cached: false }
}

/**
 * The cached hashes of every file under `dir`, in one range query on the path key, for callers that
 * look up thousands of files (a dataset's images): one query instead of one per file. An entry is
 * valid only while the file's size and mtime still match, as in `fileSha256`.
 */
export function cachedHashesUnder(ws: Workspace, dir: string): Map<string, { bytes: number; mtimeMs: number; sha256: string }> {
  const lo = path.resolve(dir) + path.sep
  const hi = path.resolve(dir) + String.fromCharCode(path.sep.charCodeAt(0) + 1)
  const rows = ws.db.prepare('SELECT path, bytes, mtime_ms, sha256 FROM file_hashes WHERE path >= ? AND path < ?').all(lo, hi) as { path: string; bytes: number; mtime_ms: number; sha256: string }[]
  return new Map(rows.map((r) => [r.path, { bytes: r.bytes, mtimeMs: r.mtime_ms, sha256: r.sha256 }]))
}

/** SHA-256 over several files in a stable order: hash of "relpath\0sha\n" lines. */
export function filesSha256(ws: Workspace | null, root: string, relPaths: string[]): { sha256: string; bytes: number } {
  const lines: string[] = []
  let bytes = 0
  for (const rel of [...relPaths].sort()) {
    const r = fileSha256(ws, path.join(root, rel))
    bytes += r.bytes
    lines.push(`${rel}\0${r.sha256}\n`)
  }
  return { sha256: crypto.createHash('sha256').update(lines.join('')).digest('hex'), bytes }
}
