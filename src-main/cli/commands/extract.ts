import { badInput } from '../../common/errors'
import { flagChoice, flagNumber } from '../args'
import type { Command } from '../command'
import { extractFeatures, type ExtractResult } from '../../core/features/extract'
import { POOL_CHOICES } from '../../core/features/pool'
import { EP_CHOICES } from '../../core/onnx/ep'

const USAGE = `Usage: platonic-lab extract --model PATH --dataset PATH [options]

Per-layer features [N, L, D] of a model on a dataset, cached in the workspace (a repeated request is a
cache hit; an interrupted one resumes at the first unfinished batch).

Options:
  --layers hidden|all|NAMES  declared hidden states (default), all (hidden states, else a CNN's stages
                             or the tapped residual stream), or a comma list of output/tensor names
                             (see \`layers\`); layers may differ in width
  --pool auto|cls|mean|last  auto: CLS for vision, attention-masked mean for text, spatial mean for
                             CNN feature maps and Swin/ConvNeXt-like models (default auto)
  --batch N                  batch size (default 16)
  --ep auto|cpu|cuda|dml|coreml|webgpu   execution provider (default auto)
  --limit N                  only the first N items
  --out FILE.npy             also write the features as [N, L, D] float32`

function text(r: ExtractResult): string {
  const lines = [
    `feature set ${r.feature_set}${r.cached ? ' (cached)' : ''}`,
    `  ${r.n} items x ${r.layers.length} layers x ${r.dims.every((d) => d === r.dim) ? r.dim : `(${r.dims.join(', ')})`} dims, pool ${r.pool}, ep ${r.ep}, ${r.seconds.toFixed(2)} s`,
    `  layers: ${r.layers.join(', ')}`,
  ]
  for (const s of r.skipped_eps) lines.push(`  skipped ${s.ep}: ${s.reason}`)
  if (r.out) lines.push(`  wrote ${r.out}`)
  return lines.join('\n')
}

export const command: Command = {
  name: 'extract',
  summary: 'extract per-layer features of a model on a dataset',
  usage: USAGE,
  flags: ['model', 'dataset', 'layers', 'pool', 'batch', 'ep', 'limit', 'out'],
  async run(ctx) {
    const { flags } = ctx.args
    if (typeof flags.model !== 'string' || !flags.model) throw badInput('--model', 'expected a model folder or .onnx file')
    if (typeof flags.dataset !== 'string' || !flags.dataset) throw badInput('--dataset', 'expected a dataset folder or .jsonl/.csv/.txt file')
    if (ctx.args.positional.length) throw badInput('extract', `unexpected argument ${ctx.args.positional[0]}`)
    if (flags.layers === true) throw badInput('--layers', 'expected hidden, all or a comma list of names')
    if (flags.out === true) throw badInput('--out', 'expected a file name ending in .npy')
    if (typeof flags.out === 'string' && !flags.out.toLowerCase().endsWith('.npy')) throw badInput('--out', `expected a .npy file, got ${flags.out}`)
    const limit = flags.limit === undefined ? undefined : flagNumber(ctx.args, 'limit', 0, { int: true, min: 1 })
    const r = await extractFeatures(
      ctx.workspace(),
      {
        modelPath: flags.model,
        datasetPath: flags.dataset,
        layers: typeof flags.layers === 'string' ? flags.layers : 'hidden',
        pool: flagChoice(ctx.args, 'pool', POOL_CHOICES, 'auto'),
        batch: flagNumber(ctx.args, 'batch', 16, { int: true, min: 1, max: 65536 }),
        ep: flagChoice(ctx.args, 'ep', EP_CHOICES, 'auto'),
        limit,
        out: typeof flags.out === 'string' ? flags.out : undefined,
      },
      {
        signal: ctx.signal,
        onProgress: (f, msg, eta) => ctx.progress(f, eta !== null && eta > 0 ? `${msg}, ETA ${Math.ceil(eta)} s` : msg),
      },
    )
    return { json: r, text: text(r) }
  },
}
