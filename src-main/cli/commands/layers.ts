import { badInput } from '../../common/errors'
import type { Command } from '../command'
import { inspectModel, modelWarnings, selectTower, type ModelInfo } from '../../core/onnx/modelInfo'

const USAGE = `Usage: platonic-lab layers --model PATH

Lists a model's inputs, declared outputs, declared hidden states and the intermediate tensors that
can be tapped as layers. PATH is a Hugging Face Optimum / transformers.js folder or a bare .onnx file.
Tensors marked "block" form the residual stream that \`extract --layers all\` taps when the model's
declared hidden states do not cover every block. Warnings say why the model cannot be run as it is,
before any extraction. A dual encoder (CLIP, SigLIP; one graph, or transformers.js'
onnx/vision_model.onnx and onnx/text_model.onnx) lists each tower's inputs, outputs and residual
stream; \`extract --tower vision|text\` picks one.`

/**
 * The CLI.md `layers --json` document, plus residual_stream, modality, hidden_size, kv_cache and
 * warnings (additions, not changes). A
 * dual encoder adds `tower` (the one hidden_states, residual_stream and modality describe: what extract
 * runs by default) and `towers`; inputs, outputs and tappable then cover the whole model.
 */
export function layersJson(info: ModelInfo): Record<string, unknown> {
  const all = info.whole ?? info
  return {
    inputs: all.inputs,
    outputs: all.outputs,
    hidden_states: info.hiddenStates,
    tappable: all.tappable,
    residual_stream: info.residualStream,
    modality: info.modality,
    file: info.file,
    hidden_size: info.hiddenSize,
    hidden_size_source: info.hiddenSizeSource,
    kv_cache: info.decoder ? { inputs: info.decoder.past.map((p) => p.name), use_cache_branch: info.decoder.useCacheBranch !== null } : null,
    warnings: modelWarnings(info),
    ...(info.stages.length ? { stages: stagesOf(info) } : {}),
    ...(info.towers.length
      ? {
          tower: info.tower,
          towers: info.towers.map((t) => ({
            name: t.name,
            modality: t.name,
            file: t.file,
            inputs: t.inputs,
            outputs: t.outputs,
            residual_stream: t.residualStream,
            hidden_states: t.hiddenStates,
            hidden_size: selectTower(info, t.name).hiddenSize,
            warnings: modelWarnings(selectTower(info, t.name)),
          })),
        }
      : {}),
  }
}

/** A CNN's stage outputs (what `--layers all` takes when no hidden states are declared) and each one's axis order. */
function stagesOf(info: ModelInfo): { name: string; layout: 'NCHW' | 'NHWC' }[] {
  const last = new Set(info.channelsLast)
  return info.stages.map((name) => ({ name, layout: last.has(name) ? 'NHWC' : 'NCHW' }))
}

function shapeText(s: (number | string | null)[] | null): string {
  return s ? `[${s.map((d) => d ?? '?').join(', ')}]` : '[?]'
}

export function layersText(info: ModelInfo): string {
  const all = info.whole ?? info
  const towers = info.towers.length ? info.towers : [info]
  const stream = new Set(towers.flatMap((t) => t.residualStream))
  const lines = [info.towers.length ? `${info.path} (dual encoder: ${info.towers.map((t) => t.name).join(' and ')} towers)` : `${info.file} (${info.modality})`, '', 'inputs:']
  for (const i of all.inputs) lines.push(`  ${i.name}  ${i.type} ${shapeText(i.shape)}`)
  lines.push('outputs:')
  for (const o of all.outputs) lines.push(`  ${o.name}  ${o.type} ${shapeText(o.shape)}`)
  for (const t of info.towers) {
    lines.push(`${t.name} tower (extract --tower ${t.name}): ${t.file}`)
    lines.push(`  inputs: ${t.inputs.map((i) => i.name).join(', ')}; outputs: ${t.outputs.map((o) => o.name).join(', ')}`)
  }
  for (const t of towers) {
    const pre = info.towers.length ? `${(t as { name: string }).name} tower ` : ''
    lines.push(`${pre}hidden states: ${t.hiddenStates.length ? t.hiddenStates.join(', ') : 'none declared'}`)
    lines.push(`${pre}residual stream (--layers all unless hidden states cover it): ${t.residualStream.length ? t.residualStream.length + ' tensors' : 'not found'}`)
  }
  if (info.hiddenSize) lines.push(`hidden size: ${info.hiddenSize} (${info.hiddenSizeSource}), the width of every residual-stream tensor`)
  if (info.decoder) lines.push(`key/value cache: ${info.decoder.past.length} past inputs fed empty${info.decoder.useCacheBranch ? ', use_cache_branch false' : ''}`)
  if (info.stages.length) lines.push(`stages (feature maps, --layers all without hidden states, pooled by spatial mean): ${stagesOf(info).map((x) => `${x.name} ${x.layout}`).join(', ')}`)
  lines.push(`tappable tensors (${all.tappable.length}):`)
  for (const t of all.tappable) lines.push(`  ${stream.has(t.name) ? 'block ' : '      '}${t.name}  ${t.op}${t.shape ? ' ' + shapeText(t.shape) : ''}`)
  const warnings = modelWarnings(info)
  if (warnings.length) lines.push('', 'warnings (extraction would fail or be suspect):', ...warnings.map((w) => `  - ${w}`))
  return lines.join('\n')
}

export const command: Command = {
  name: 'layers',
  summary: "list a model's inputs, outputs and tappable layers",
  usage: USAGE,
  flags: ['model'],
  async run(ctx) {
    const model = ctx.args.flags.model
    if (typeof model !== 'string' || !model) throw badInput('--model', 'expected a model folder or .onnx file: platonic-lab layers --model PATH')
    if (ctx.args.positional.length) throw badInput('layers', `unexpected argument ${ctx.args.positional[0]}`)
    const info = inspectModel(model)
    return { json: layersJson(info), text: layersText(info) }
  },
}
