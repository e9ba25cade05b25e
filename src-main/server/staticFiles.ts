import fs from 'node:fs'
import path from 'node:path'

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
  if (resolved && fs.statSync(resolved).isFile()) return { path: resolved, type: TYPES[path.extname(resolved)] ?? 'application/octet-stream' }
  // Client-side route (no extension): serve the app shell.
  if (!path.extname(rel)) {
    const index = realInside(root, path.join(root, 'index.html'))
    if (index) return { path: index, type: TYPES['.html']! }
  }
  return null
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
