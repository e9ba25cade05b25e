import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../common/errors'
import { flagChoice, flagNumber } from '../args'
import type { Command } from '../command'
import { extractFeatures } from '../../core/features/extract'
import { TOWER_NAMES, type ExtractResult } from '../../common/contract/features'
import { POOL_CHOICES } from '../../core/features/pool'
import { parseShard } from '../../core/features/shard'
import { writeShardBundle } from '../../core/features/shardBundle'
import { EP_CHOICES } from '../../core/onnx/ep'
import { checkWriteTarget } from '../../core/data/atomicWrite'

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
  --out FILE.npy             also write the features as [N, L, D] float32
  --shard I/N                only shard I of N (0-based) of the items, split by content hash, so every
                             machine computes the same shards (Slurm: $SLURM_ARRAY_TASK_ID)
  --bundle DIR               write the shard's portable bundle here (with --shard); merge the shards
                             with \`bundle merge\` and load the result with \`bundle import\`
  --force                    replace FILE.npy if it exists
  --tower vision|text        which encoder of a dual encoder (CLIP, SigLIP) runs; default: vision for a
                             dataset with images, text for captions only`

function text(r: ExtractResult): string {
  const lines = [
    `feature set ${r.feature_set}${r.cached ? ' (cached)' : ''}${r.tower ? `, ${r.tower} tower` : ''}`,
    `  ${r.n} items x ${r.layers.length} layers x ${r.dims.every((d) => d === r.dim) ? r.dim : `(${r.dims.join(', ')})`} dims, pool ${r.pool}, ep ${r.ep}, ${r.seconds.toFixed(2)} s`,
    `  layers: ${r.layers.join(', ')}`,
  ]
  for (const s of r.skipped_eps) lines.push(`  skipped ${s.ep}: ${s.reason}`)
  if (r.out) lines.push(`  wrote ${r.out}`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}

export const command: Command = {
  name: 'extract',
  summary: 'extract per-layer features of a model on a dataset',
  usage: USAGE,
  flags: ['model', 'dataset', 'layers', 'pool', 'batch', 'ep', 'limit', 'out', 'shard', 'bundle', 'tower'],
  booleanFlags: ['force'],
  async run(ctx) {
    const { flags } = ctx.args
    if (typeof flags.model !== 'string' || !flags.model) throw badInput('--model', 'expected a model folder or .onnx file')
    if (typeof flags.dataset !== 'string' || !flags.dataset) throw badInput('--dataset', 'expected a dataset folder or .jsonl/.csv/.txt file')
    if (ctx.args.positional.length) throw badInput('extract', `unexpected argument ${ctx.args.positional[0]}`)
    if (flags.layers === true) throw badInput('--layers', 'expected hidden, all or a comma list of names')
    if (flags.out === true) throw badInput('--out', 'expected a file name ending in .npy')
    if (typeof flags.out === 'string' && !flags.out.toLowerCase().endsWith('.npy')) throw badInput('--out', `expected a .npy file, got ${flags.out}`)
    if (flags.shard === true) throw badInput('--shard', 'expected I/N, e.g. --shard 0/4')
    if (flags.bundle === true) throw badInput('--bundle', 'expected a folder for the shard bundle')
    const shard = typeof flags.shard === 'string' ? parseShard(flags.shard) : undefined
    if (typeof flags.bundle === 'string' && !shard) throw badInput('--bundle', 'goes with --shard I/N (for a whole extraction, export the feature set from the Models view)')
    if (shard && typeof flags.bundle !== 'string') throw badInput('--shard', 'needs --bundle DIR: a shard is only useful as a bundle to merge')
    if (typeof flags.bundle === 'string' && fs.existsSync(flags.bundle) && fs.readdirSync(flags.bundle).length > 0) throw badInput(flags.bundle, 'already exists and is not empty; choose a new folder for the shard bundle')
    const overwrite = flags.force === true
    // Before any extraction: a folder, an unwritable place or an existing file fail now, not after it.
    if (typeof flags.out === 'string') checkWriteTarget(flags.out, { overwrite, mkdir: true })
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
        tower: flags.tower === undefined ? undefined : flagChoice(ctx.args, 'tower', TOWER_NAMES, 'vision'),
        overwrite,
        shard,
      },
      {
        signal: ctx.signal,
        onProgress: (f, msg, eta) => ctx.progress(f, eta !== null && eta > 0 ? `${msg}, ETA ${Math.ceil(eta)} s` : msg),
      },
    )
    if (!r.shard || typeof flags.bundle !== 'string') return { json: r, text: text(r) }
    writeShardBundle(ctx.workspace(), r, flags.bundle)
    // The member list is in the bundle; the JSON says where it went instead of repeating it.
    const { members, ...shardInfo } = r.shard
    const json = { ...r, shard: { ...shardInfo, n: members.length }, bundle: path.resolve(flags.bundle) }
    return { json, text: `${text(r)}\n  shard ${shardInfo.index}/${shardInfo.count} (${members.length} of ${shardInfo.n_total} items), bundle ${json.bundle}` }
  },
}
