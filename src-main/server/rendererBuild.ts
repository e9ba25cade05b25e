import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { appRoot } from '../core/paths'

/** Folder of the built renderer (electron-vite's output). */
export function rendererDir(root = appRoot()): string {
  const override = process.env.PLATONIC_LAB_RENDERER_OUT
  return override ? path.resolve(root, override) : path.join(root, 'out', 'renderer')
}

/**
 * Makes sure the renderer is built, building it once (electron-vite) when a fresh clone has none, so
 * `npx platonic-lab serve` works right after `npm ci`.
 */
export function ensureRendererBuilt(log: (line: string) => void, root = appRoot()): string {
  const dir = rendererDir(root)
  if (fs.existsSync(path.join(dir, 'index.html'))) return dir
  const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!fs.existsSync(bin)) throw new Error(`the UI is not built (${dir}) and electron-vite is not installed to build it; run npm ci && npm run build`)
  log('building the UI once (npm run build)…')
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0 || !fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`building the UI failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`)
  }
  return dir
}
