import * as ort from 'onnxruntime-node'
import type { EpChoice, GpuStatus, ProviderStatus } from '../../common/contract/gpu'
import { autoOrder, createSession, knownUnavailable } from '../onnx/ep'
import { probeModel, webgpuVerdict } from './webgpuProbe'

export type { GpuStatus, ProviderStatus } from '../../common/contract/gpu'

const HOW_TO: Record<string, string> = {
  cuda: 'Linux x64 or Windows with an NVIDIA driver, CUDA 12 and cuDNN 9: run `npm run gpu:install-cuda` once (downloads onnxruntime-node\'s CUDA provider libraries), then restart.',
  dml: 'Windows 10/11 with a DirectX 12 GPU: DirectML ships with onnxruntime-node; update the GPU driver if it fails.',
  coreml: 'macOS: CoreML ships with onnxruntime-node; it runs on the Apple Neural Engine or GPU.',
  webgpu: 'Bundled with onnxruntime-node; needs a GPU driver with Vulkan (Linux), Metal (macOS) or D3D12 (Windows). On Linux install the Vulkan loader (Debian: libvulkan1) and your GPU vendor\'s Vulkan driver (NVIDIA ships it with the driver). The execution provider auto uses it when the native GPU provider is not available.',
  cpu: 'Always available.',
}

/**
 * Which execution providers work on this machine, proven by creating a session and running a tiny
 * graph on each (listSupportedBackends only says which binaries ship, not whether a driver works);
 * WebGPU in a child process (webgpuProbe.ts), whose verdict `--ep auto` then reuses.
 */
export async function gpuStatus(): Promise<GpuStatus> {
  const bundled = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]))
  const order = autoOrder()
  const candidates: readonly EpChoice[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu']
  const model = probeModel()
  const providers: ProviderStatus[] = []
  for (const ep of candidates) {
    if (ep === 'webgpu') {
      // Probed afresh in a child process, whose output is shown here and nowhere else.
      const v = webgpuVerdict({ refresh: true })
      const isBundled = bundled.get('webgpu') ?? false
      providers.push({ ep, bundled: isBundled, usable: v.usable, reason: v.reason, howTo: v.usable ? null : (HOW_TO[ep] ?? null), ms: v.ms || null, details: v.details || null })
      continue
    }
    const known = knownUnavailable(ep)
    const isBundled = bundled.get(ep === 'dml' ? 'dml' : ep) ?? false
    if (known) {
      providers.push({ ep, bundled: isBundled, usable: false, reason: known, howTo: HOW_TO[ep] ?? null, ms: null })
      continue
    }
    if (!isBundled && ep !== 'cpu' && !bundled.has(ep)) {
      providers.push({ ep, bundled: false, usable: false, reason: `onnxruntime-node has no ${ep} provider for ${process.platform}-${process.arch}`, howTo: HOW_TO[ep] ?? null, ms: null })
      continue
    }
    const t0 = performance.now()
    try {
      const { session } = await createSession(model, ep)
      const x = new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [4])
      const y = (await session.run({ X: x })).Y!.data as Float32Array
      await session.release()
      const ok = y[3] === 8
      providers.push({ ep, bundled: isBundled, usable: ok, reason: ok ? null : 'the probe graph returned a wrong result', howTo: ok ? null : HOW_TO[ep] ?? null, ms: Math.round(performance.now() - t0) })
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      providers.push({ ep, bundled: isBundled, usable: false, reason: msg.replace(/^no execution provider could create the session \(/, '').replace(/\)$/, ''), howTo: HOW_TO[ep] ?? null, ms: Math.round(performance.now() - t0) })
    }
  }
  const autoPicks = order.find((ep) => providers.find((p) => p.ep === ep)?.usable) ?? 'cpu'
  return { platform: process.platform, arch: process.arch, ortVersion: ort.env.versions.node ?? 'unknown', autoOrder: order, autoPicks, providers }
}
