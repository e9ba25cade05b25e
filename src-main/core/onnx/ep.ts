// First: telemetry off before onnxruntime is loaded or creates its environment.
import { disableOrtTelemetry } from './ortTelemetry'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { AppError, badInput } from '../../common/errors'
import type { EpChoice } from '../../common/contract/gpu'
import { webgpuUnavailable } from '../gpu/webgpuProbe'

export { EP_CHOICES, type EpChoice } from '../../common/contract/gpu'

export interface EpAttempt {
  ep: string
  reason: string
}

export interface CreatedSession {
  session: ort.InferenceSession
  /** The provider that actually created the session. */
  ep: string
  /** Providers tried first that failed, each with the reason. */
  skipped: EpAttempt[]
}

/**
 * Provider order for `auto` on this platform: the native GPU provider, then WebGPU, then the CPU.
 * Only a created session proves a provider works (listSupportedBackends lists bundled binaries, not
 * usable drivers), so `auto` tries each in turn and records why the others were skipped. WebGPU was
 * checked on an NVIDIA H200 through Vulkan: same neighbour lists as the CPU and hidden states within
 * 4e-6 (bench/gpu-check.ts).
 */
export function autoOrder(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string[] {
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'webgpu', 'cpu']
  if (platform === 'win32') return ['dml', 'webgpu', 'cpu']
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu']
  return ['cpu']
}

/** Folder holding onnxruntime-node's native libraries for this platform, or null if it cannot be found. */
function ortBinDir(): string | null {
  try {
    const req = createRequire(import.meta.url)
    const root = path.dirname(path.dirname(req.resolve('onnxruntime-node')))
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch)
    return fs.existsSync(dir) ? dir : null
  } catch {
    return null
  }
}

const CUDA_HINT = "onnxruntime-node's CUDA libraries are not installed (run npm run gpu:install-cuda on a machine with an NVIDIA driver, CUDA 12 and cuDNN 9)"


/**
 * A reason `ep` cannot work here that is known without trying, else null. Missing provider libraries are
 * a certain failure, and trying anyway makes onnxruntime print a load error on stderr.
 */
export function knownUnavailable(ep: string, binDir: string | null = ortBinDir()): string | null {
  if (ep === 'cuda') {
    if (process.platform !== 'linux' && process.platform !== 'win32') return `not available on ${process.platform}`
    if (binDir && !fs.readdirSync(binDir).some((f) => /onnxruntime_providers_cuda/.test(f))) return CUDA_HINT
  }
  // WebGPU is tried only where a probe in a child process found a hardware adapter (webgpuProbe.ts):
  // trying it here would print Dawn's messages on this process's stderr on every command.
  if (ep === 'webgpu') return webgpuUnavailable()
  if (ep === 'dml' && process.platform !== 'win32') return 'DirectML exists only on Windows'
  if (ep === 'coreml' && process.platform !== 'darwin') return 'CoreML exists only on macOS'
  return null
}

/** Turns onnxruntime's first error line into a sentence a user can act on. */
function explain(ep: string, message: string): string {
  if (ep === 'cuda' && /shared library|cannot open shared object|LoadLibrary/i.test(message)) return `${CUDA_HINT}; onnxruntime said: ${message}`
  return message
}

function providerName(ep: string): string {
  return ep === 'dml' ? 'dml' : ep
}

/**
 * Creates a session on the first provider that works. `auto` follows `autoOrder`; an explicit choice
 * is tried alone and fails with a clear message rather than silently falling back. For a user's model
 * (`source`, its file), the CPU provider failing means the model is at fault (unsupported operator, bad
 * weights, not enough memory): BAD_INPUT naming the file and onnxruntime's reason. The app's own graphs
 * (no `source`) failing is an internal failure.
 */
export async function createSession(
  model: string | Uint8Array,
  choice: EpChoice = 'auto',
  options: ort.InferenceSession.SessionOptions = {},
  source?: string,
): Promise<CreatedSession> {
  disableOrtTelemetry()
  const order = choice === 'auto' ? autoOrder() : [choice]
  const skipped: EpAttempt[] = []
  for (const ep of order) {
    const known = knownUnavailable(ep)
    if (known) {
      skipped.push({ ep, reason: known })
      if (choice !== 'auto') break
      continue
    }
    try {
      // Nothing on stderr: onnxruntime's optimiser warns about initializers it folded away in ordinary
      // exports, and a failed run logs the error that is thrown (and reported) anyway.
      const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 4, ...options, executionProviders: [providerName(ep)] }
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts)
      return { session, ep, skipped }
    } catch (e) {
      const reason = explain(ep, e instanceof Error ? e.message.split('\n')[0]! : String(e))
      if (ep === 'cpu' && source !== undefined) {
        const others = skipped.length ? ` (also skipped: ${skipped.map((s) => `${s.ep}: ${s.reason}`).join('; ')})` : ''
        throw badInput(source, `onnxruntime could not create a session for this model: ${reason}${others}`)
      }
      skipped.push({ ep, reason })
      if (choice !== 'auto') break
    }
  }
  throw new AppError(choice === 'auto' ? 'INTERNAL' : 'UNAVAILABLE', `no execution provider could create the session (${skipped.map((s) => `${s.ep}: ${s.reason}`).join('; ')})`)
}
