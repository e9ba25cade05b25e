import { badInput } from '../../common/errors'
import type { Command } from '../command'
import { inspectModel, runProblems, streamProblems, type ModelInfo } from '../../core/onnx/modelInfo'

const USAGE = `Usage: platonic-lab layers --model PATH

Lists a model's inputs, declared outputs, declared hidden states and the intermediate tensors that
can be tapped as layers. PATH is a Hugging Face Optimum / transformers.js folder or a bare .onnx file.
Tensors marked "block" form the residual stream that \`extract --layers all\` taps when the model's
declared hidden states do not cover every block. Warnings say why the model cannot be run as it is,
before any extraction.`

/** Why extraction would fail or be suspect, known before running: the model's run problems, then the stream's. */
export function layersWarnings(info: ModelInfo): string[] {
  return [...runProblems(info), ...streamProblems(info)]
}

/** The CLI.md `layers --json` document, plus residual_stream, modality, hidden_size, kv_cache and warnings (additions, not changes). */
export function layersJson(info: ModelInfo): Record<string, unknown> {
  return {
    inputs: info.inputs,
    outputs: info.outputs,
    hidden_states: info.hiddenStates,
    tappable: info.tappable,
    residual_stream: info.residualStream,
    modality: info.modality,
    file: info.file,
    hidden_size: info.hiddenSize,
    hidden_size_source: info.hiddenSizeSource,
    kv_cache: info.decoder ? { inputs: info.decoder.past.map((p) => p.name), use_cache_branch: info.decoder.useCacheBranch !== null } : null,
    warnings: layersWarnings(info),
  }
}

function shapeText(s: (number | string | null)[] | null): string {
  return s ? `[${s.map((d) => d ?? '?').join(', ')}]` : '[?]'
}

export function layersText(info: ModelInfo): string {
  const stream = new Set(info.residualStream)
  const lines = [`${info.file} (${info.modality})`, '', 'inputs:']
  for (const i of info.inputs) lines.push(`  ${i.name}  ${i.type} ${shapeText(i.shape)}`)
  lines.push('outputs:')
  for (const o of info.outputs) lines.push(`  ${o.name}  ${o.type} ${shapeText(o.shape)}`)
  lines.push(`hidden states: ${info.hiddenStates.length ? info.hiddenStates.join(', ') : 'none declared'}`)
  lines.push(`residual stream (--layers all unless hidden states cover it): ${info.residualStream.length ? info.residualStream.length + ' tensors' : 'not found'}${info.hiddenSize ? `, ${info.hiddenSize} wide (${info.hiddenSizeSource})` : ''}`)
  if (info.decoder) lines.push(`key/value cache: ${info.decoder.past.length} past inputs fed empty${info.decoder.useCacheBranch ? ', use_cache_branch false' : ''}`)
  lines.push(`tappable tensors (${info.tappable.length}):`)
  for (const t of info.tappable) lines.push(`  ${stream.has(t.name) ? 'block ' : '      '}${t.name}  ${t.op}${t.shape ? ' ' + shapeText(t.shape) : ''}`)
  const warnings = layersWarnings(info)
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
