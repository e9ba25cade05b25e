import type { Command } from '../command'
import { gpuStatus } from '../../core/gpu/status'

export const command: Command = {
  name: 'gpu',
  summary: 'which execution providers work on this machine',
  usage: [
    'platonic-lab gpu [--json]',
    '',
    'Tries every ONNX Runtime execution provider (CUDA, DirectML, CoreML, WebGPU, CPU) by creating a',
    'session and running a tiny graph, and says which are usable, which are not and why, and how to',
    'enable them. `--ep auto` picks the first usable one in the platform order shown. WebGPU is probed',
    'in a child process (its driver messages are shown here, indented with |); other commands reuse',
    'the verdict until the drivers change, and never use a software Vulkan adapter.',
  ].join('\n'),
  flags: [],
  async run() {
    const s = await gpuStatus()
    const lines = [`onnxruntime-node ${s.ortVersion} on ${s.platform}-${s.arch}; --ep auto tries ${s.autoOrder.join(' → ')} and picks ${s.autoPicks}`]
    for (const p of s.providers) {
      lines.push(`  ${p.usable ? 'usable   ' : 'not usable'} ${p.ep.padEnd(7)}${p.ms !== null ? ` (${p.ms} ms)` : ''}${p.reason ? ` — ${p.reason}` : ''}`)
      if (!p.usable && p.howTo) lines.push(`             how to enable: ${p.howTo}`)
      if (p.details) for (const d of p.details.split('\n')) lines.push(`             | ${d}`)
    }
    return { json: s, text: lines.join('\n') }
  },
}
