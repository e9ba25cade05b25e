import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import onnxProto from 'onnx-proto'
import { APP_NAME } from '../paths'
import { writeFileAtomically } from '../data/atomicWrite'
import { ORT_TELEMETRY_OFF } from '../onnx/ortTelemetry'

const { onnx } = onnxProto

/**
 * Whether onnxruntime's WebGPU provider has a usable adapter here, decided once per driver setup.
 *
 * Creating a WebGPU session initialises Dawn, which on a machine with a Vulkan loader but no usable
 * adapter (Mesa's drivers without a GPU) prints several lines to the process's stderr and takes a
 * while, on every command. So the attempt is made in a child process whose output is captured, the
 * verdict is cached under a fingerprint of the driver setup (Vulkan loader and driver manifests,
 * onnxruntime version), and only `gpu` and the GPU view show the probe's output. Software Vulkan
 * drivers (lavapipe, SwiftShader) are disabled for the probe and for every WebGPU session, so `auto`
 * never runs a model on a CPU pretending to be a GPU.
 */
export interface WebgpuVerdict {
  usable: boolean
  /** Why not, in onnxruntime's words where it gave any; null when usable. */
  reason: string | null
  /** What the probe printed (Dawn's and the driver's messages), for `gpu` and the GPU view. */
  details: string
  /** Milliseconds the probe took. */
  ms: number
  fingerprint: string
  checkedAt: string
}

/** Vulkan driver manifests of software renderers, as globs for the loader's VK_LOADER_DRIVERS_DISABLE. */
export const SOFTWARE_VULKAN_DRIVERS = ['*lvp_icd*', '*swiftshader*']

const VULKAN_HINT = 'no Vulkan loader (libvulkan.so.1) on this machine: install libvulkan1 and your GPU vendor\'s Vulkan driver to use WebGPU'
const PROBE_TIMEOUT_MS = 60_000

/** Where libvulkan.so.1 is, searching the usual library folders; null when there is none. */
export function vulkanLoaderPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib', '/usr/local/lib']
  for (const d of dirs) {
    const f = path.join(d, 'libvulkan.so.1')
    if (fs.existsSync(f)) return f
  }
  return null
}

/** The per-user cache folder: $PLATONIC_LAB_CACHE, else XDG / Library/Caches / %LOCALAPPDATA%. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.PLATONIC_LAB_CACHE) return path.resolve(env.PLATONIC_LAB_CACHE)
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), APP_NAME, 'Cache')
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', APP_NAME)
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), APP_NAME)
}

function ortPackage(): { main: string; version: string } | null {
  try {
    const req = createRequire(import.meta.url)
    const main = req.resolve('onnxruntime-node')
    let dir = path.dirname(main)
    for (let i = 0; i < 4 && !fs.existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir)
    const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version
    return { main, version }
  } catch {
    return null
  }
}

function statLine(file: string): string {
  try {
    const st = fs.statSync(file)
    return `${file} ${st.size} ${Math.round(st.mtimeMs)}`
  } catch {
    return `${file} -`
  }
}

function listDir(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .sort()
      .map((f) => statLine(path.join(dir, f)))
  } catch {
    return []
  }
}

/**
 * What decides the verdict: onnxruntime's version, the platform, the Vulkan loader and every driver
 * manifest the loader would read (with sizes and modification times), the GPU device nodes, and the
 * environment variables that steer the loader. Installing or updating a driver changes it.
 */
export function driverFingerprint(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir()
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean)
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean)
  const icdDirs = [...configDirs, '/etc', ...dataDirs, env.XDG_DATA_HOME || path.join(home, '.local', 'share')].map((d) => path.join(d, 'vulkan', 'icd.d'))
  const loader = process.platform === 'linux' ? vulkanLoaderPath(env) : null
  const effective = withoutSoftwareAdapters(env)
  const parts = {
    v: 1,
    ort: ortPackage()?.version ?? null,
    platform: `${process.platform}-${process.arch}`,
    release: os.release(),
    runtime: process.versions.electron ? `electron ${process.versions.electron}` : `node ${process.versions.node}`,
    loader: loader ? statLine(loader) : null,
    icds: icdDirs.flatMap(listDir),
    devices: [...listDir('/dev/dri'), ...listDir('/proc/driver/nvidia/gpus')],
    // As WebGPU sees it: the software-driver exclusion this module sets itself must not change it.
    env: ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES', 'VK_LOADER_DRIVERS_SELECT', 'VK_LOADER_DRIVERS_DISABLE', 'LD_LIBRARY_PATH'].map((k) => effective[k] ?? null),
  }
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

/** A one-node graph (Y = X + X) that proves a provider can create a session and run. */
export function probeModel(): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'platonic-lab',
    graph: {
      name: 'probe',
      node: [{ opType: 'Add', input: ['X', 'X'], output: ['Y'] }],
      input: [{ name: 'X', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } }],
      output: [{ name: 'Y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } }],
    },
  })
  return onnx.ModelProto.encode(m).finish()
}

/** The environment under which WebGPU may run: software Vulkan drivers disabled, unless the user chose. */
export function withoutSoftwareAdapters(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.VK_LOADER_DRIVERS_DISABLE !== undefined || env.VK_LOADER_DRIVERS_SELECT !== undefined) return env
  return { ...env, VK_LOADER_DRIVERS_DISABLE: SOFTWARE_VULKAN_DRIVERS.join(',') }
}

// Plain CommonJS run by the child: no TypeScript loader is needed, so it starts in a fraction of a second.
const CHILD = `
const ort = require(process.env.PLATONIC_LAB_PROBE_ORT)
const done = (r) => process.stdout.write('\\n' + JSON.stringify(r) + '\\n')
;(async () => {
  try {
    const s = await ort.InferenceSession.create(Buffer.from(process.env.PLATONIC_LAB_PROBE_MODEL, 'base64'), { executionProviders: ['webgpu'] })
    const y = (await s.run({ X: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [4]) })).Y.data
    await s.release()
    done(y[3] === 8 ? { ok: true, reason: null } : { ok: false, reason: 'the probe graph returned a wrong result' })
  } catch (e) {
    done({ ok: false, reason: String((e && e.message) || e).split('\\n')[0] })
  }
})()
`

/** Creates a WebGPU session in a child process (output captured) and runs the probe graph on it. */
export function probeWebgpu(env: NodeJS.ProcessEnv = process.env): WebgpuVerdict {
  const fingerprint = driverFingerprint(env)
  const base = { fingerprint, checkedAt: new Date().toISOString() }
  if (process.platform === 'linux' && !vulkanLoaderPath(env)) return { usable: false, reason: VULKAN_HINT, details: '', ms: 0, ...base }
  const pkg = ortPackage()
  if (!pkg) return { usable: false, reason: 'onnxruntime-node cannot be found', details: '', ms: 0, ...base }
  const t0 = performance.now()
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    env: { ...withoutSoftwareAdapters(env), ...ORT_TELEMETRY_OFF, ELECTRON_RUN_AS_NODE: '1', PLATONIC_LAB_PROBE_ORT: pkg.main, PLATONIC_LAB_PROBE_MODEL: Buffer.from(probeModel()).toString('base64') },
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const ms = Math.round(performance.now() - t0)
  const lines = (r.stdout ?? '').split('\n')
  let result: { ok: boolean; reason: string | null } | null = null
  for (const l of lines) {
    if (!l.startsWith('{')) continue
    try {
      result = JSON.parse(l) as { ok: boolean; reason: string | null }
    } catch {
      // not the result line
    }
  }
  const details = [...lines.filter((l) => l.trim() && !l.startsWith('{')), ...(r.stderr ?? '').split('\n').filter((l) => l.trim())].join('\n').slice(0, 8000)
  if (!result) {
    const why = r.error ? `${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${PROBE_TIMEOUT_MS / 1000} s` : r.error.message}` : `exited with ${r.status ?? r.signal}`
    return { usable: false, reason: `the WebGPU probe ${why}`, details, ms, ...base }
  }
  return { usable: result.ok, reason: result.ok ? null : explainFailure(result.reason ?? 'unknown failure'), details, ms, ...base }
}

/** onnxruntime's adapter failure as a sentence a user can act on (its own words kept at the end). */
function explainFailure(reason: string): string {
  const m = /Failed to get a WebGPU adapter: (.*)$/.exec(reason)
  if (!m) return reason
  return `no usable WebGPU adapter (${m[1]!.trim()}): no GPU with a working Vulkan, Metal or D3D12 driver was found (software renderers such as lavapipe and SwiftShader are not used)`
}

function cacheFile(env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), 'webgpu-probe.json')
}

function readCached(file: string, fingerprint: string): WebgpuVerdict | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as WebgpuVerdict
    return v.fingerprint === fingerprint && typeof v.usable === 'boolean' ? v : null
  } catch {
    return null
  }
}

let memo: WebgpuVerdict | null = null

/**
 * The verdict for this machine's current driver setup: from memory, else from the cache file, else
 * probed (and cached). `refresh` probes again (`gpu`, the GPU view). A cache that cannot be written
 * only costs a probe per process.
 */
export function webgpuVerdict(opts: { refresh?: boolean; env?: NodeJS.ProcessEnv } = {}): WebgpuVerdict {
  const env = opts.env ?? process.env
  const fingerprint = driverFingerprint(env)
  if (!opts.refresh && memo?.fingerprint === fingerprint) return memo
  const file = cacheFile(env)
  const cached = opts.refresh ? null : readCached(file, fingerprint)
  const v = cached ?? probeWebgpu(env)
  if (!cached) {
    try {
      writeFileAtomically(file, JSON.stringify(v, null, 2) + '\n', { overwrite: true, mkdir: true })
    } catch {
      // read-only home: the verdict still holds for this process
    }
  }
  memo = v
  return v
}

/**
 * Null when WebGPU may be tried (and then software Vulkan drivers are disabled for this process, as in
 * the probe), else why not.
 */
export function webgpuUnavailable(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform === 'linux' && !vulkanLoaderPath(env)) return VULKAN_HINT
  const v = webgpuVerdict({ env })
  if (!v.usable) return v.reason
  if (env === process.env) Object.assign(process.env, withoutSoftwareAdapters(process.env))
  return null
}
