import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Workspace } from './workspace'
import { badInput } from '../../common/errors'

/**
 * SHA-256 of a file, cached by (absolute path, size, mtime) so a multi-GB checkpoint is read once,
 * not on every run. Streaming keeps memory flat.
 */
export function fileSha256(ws: Workspace | null, file: string): { sha256: string; bytes: number; cached: boolean } {
  const abs = path.resolve(file)
  let st: fs.Stats
  try {
    st = fs.statSync(abs)
  } catch {
    throw badInput(abs, 'file not found')
  }
  if (!st.isFile()) throw badInput(abs, 'is not a file')
  if (ws) {
    const row = ws.db.prepare('SELECT bytes, mtime_ms, sha256 FROM file_hashes WHERE path = ?').get(abs) as { bytes: number; mtime_ms: number; sha256: string } | undefined
    if (row && row.bytes === st.size && row.mtime_ms === st.mtimeMs) return { sha256: row.sha256, bytes: st.size, cached: true }
  }
  const h = crypto.createHash('sha256')
  const fd = fs.openSync(abs, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 22)
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      h.update(buf.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  const sha256 = h.digest('hex')
  if (ws) {
    ws.db
      .prepare('INSERT INTO file_hashes(path, bytes, mtime_ms, sha256) VALUES (?,?,?,?) ON CONFLICT(path) DO UPDATE SET bytes=excluded.bytes, mtime_ms=excluded.mtime_ms, sha256=excluded.sha256')
      .run(abs, st.size, st.mtimeMs, sha256)
  }
  return { sha256, bytes: st.size, cached: false }
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
