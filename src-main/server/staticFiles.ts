import fs from 'node:fs'
import type http from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/**
 * Maps a URL path to a file inside the renderer build folder, or null. Decoded `..`, absolute paths,
 * backslashes, NUL bytes and symlinks that leave the folder are all refused: only files really inside
 * `root` are served. Unknown paths fall back to index.html (client-side routes).
 */
export function staticFile(root: string, urlPath: string): { path: string; type: string } | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '')
  const candidate = path.resolve(root, rel)
  if (!isInside(root, candidate)) return null
  const resolved = realInside(root, candidate)
  if (resolved && isFile(resolved)) return { path: resolved, type: TYPES[path.extname(resolved)] ?? 'application/octet-stream' }
  // Client-side route (no extension): serve the app shell.
  if (!path.extname(rel)) {
    const index = realInside(root, path.join(root, 'index.html'))
    if (index) return { path: index, type: TYPES['.html']! }
  }
  return null
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p)
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r))
}

function realInside(root: string, p: string): string | null {
  try {
    const real = fs.realpathSync(p)
    return isInside(fs.realpathSync(root), real) ? real : null
  } catch {
    return null
  }
}

/**
 * Sends a file found by staticFile. The file may vanish or change between lookup and read (a rebuild
 * of the renderer while `serve` runs): opening it first turns that into a 404, and a read error after
 * the headers went out only drops this connection, never the server.
 */
export async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: { path: string; type: string }): Promise<void> {
  let handle: fs.promises.FileHandle
  try {
    handle = await fs.promises.open(file.path, 'r')
  } catch (e) {
    return plain(res, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500, 'not found')
  }
  try {
    const st = await handle.stat()
    if (!st.isFile()) return plain(res, 404, 'not found')
    res.writeHead(200, { 'content-type': file.type, 'content-length': st.size, 'cache-control': 'no-store' })
    if (req.method === 'HEAD' || st.size === 0) return void res.end()
    await pipeline(handle.createReadStream({ autoClose: false, end: st.size - 1 }), res)
  } catch {
    if (!res.headersSent) plain(res, 500, 'could not read the file')
    else res.destroy()
  } finally {
    await handle.close().catch(() => undefined)
  }
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}
