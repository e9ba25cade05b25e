#!/usr/bin/env node
// `npm start`: build if needed, make sure the Electron binary is there (its install script is denied
// in package.json, so it is fetched here on first start), then open the desktop window. When Electron
// cannot be obtained (an offline machine), say so in one line and serve the same UI on loopback.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const passThrough = process.argv.slice(2)

function built() {
  return fs.existsSync(path.join(root, 'out', 'main', 'index.js')) && fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))
}

if (!built() || process.env.PLATONIC_LAB_REBUILD) {
  console.error('building Platonic Lab (electron-vite build)…')
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron')
  const pathFile = path.join(dir, 'path.txt')
  if (!fs.existsSync(pathFile)) return null
  const exe = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim())
  return fs.existsSync(exe) ? exe : null
}

let exe = electronBinary()
if (!exe && !process.env.PLATONIC_LAB_NO_ELECTRON) {
  const installer = path.join(root, 'node_modules', 'electron', 'install.js')
  if (fs.existsSync(installer)) {
    console.error('fetching the Electron binary (first start only)…')
    spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: ['ignore', 'ignore', 'ignore'], timeout: 10 * 60 * 1000 })
    exe = electronBinary()
  }
}

if (exe) {
  // The backend runs on this Node during development: the native modules (better-sqlite3) are built for it.
  const child = spawn(exe, [root, ...passThrough], { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined, PLATONIC_LAB_NODE: process.execPath } })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  console.error('Electron is not available on this machine (it could not be downloaded); serving the same UI in your browser instead.')
  const child = spawn(process.execPath, [path.join(root, 'bin', 'platonic-lab.mjs'), 'serve', ...passThrough], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
  process.on('SIGINT', () => child.kill('SIGINT'))
}
