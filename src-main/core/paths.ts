import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const APP_NAME = 'platonic-lab'

/**
 * The OS application-data folder for Platonic Lab (settings and the default workspace): XDG on Linux,
 * Application Support on macOS, %APPDATA% on Windows. Never inside the install folder or the asar.
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME)
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), APP_NAME)
}

/** Workspace folder: `--data DIR`, else $PLATONIC_LAB_DATA, else `<app data>/workspace`. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag)
  if (env.PLATONIC_LAB_DATA) return path.resolve(env.PLATONIC_LAB_DATA)
  return path.join(appDataDir(env), 'workspace')
}

/**
 * Folder holding the bundled `resources/` (demo models, dataset, paper tables). In a packaged app
 * electron-builder copies it to `<process.resourcesPath>/resources` (outside the asar, so native
 * readers and onnxruntime can open the files); in development it is the repository's `resources/`.
 */
export function resourcesDir(opts: { resourcesPath?: string; fromDir?: string; env?: NodeJS.ProcessEnv } = {}): string {
  // Set by the desktop shell for its backend and job hosts, which may not see process.resourcesPath.
  const fromEnv = (opts.env ?? process.env).PLATONIC_LAB_RESOURCES
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'demo'))) return fromEnv
  const rp = opts.resourcesPath ?? (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath
  if (rp) {
    const packaged = path.join(rp, 'resources')
    if (fs.existsSync(path.join(packaged, 'demo'))) return packaged
  }
  let dir = opts.fromDir ?? path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources')
    if (fs.existsSync(path.join(candidate, 'demo')) && fs.existsSync(path.join(dir, 'package.json'))) return candidate
    dir = path.dirname(dir)
  }
  throw new Error('cannot find the bundled resources folder (resources/demo)')
}

/** The repository or app root (folder with package.json) — for the renderer build and version. */
export function appRoot(fromDir?: string): string {
  let dir = fromDir ?? path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    dir = path.dirname(dir)
  }
  throw new Error('cannot find the application root (package.json)')
}

export function appVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}
