import { badInput } from '../../common/errors'
import type { Command } from '../command'
import { inspectModel, type ModelInfo } from '../../core/onnx/modelInfo'

const USAGE = `Usage: platonic-lab layers --model PATH

Lists a model's inputs, declared outputs, declared hidden states and the intermediate tensors that
can be tapped as layers. PATH is a Hugging Face Optimum / transformers.js folder or a bare .onnx file.
Tensors marked "block" form the residual stream that \`extract --layers all\` taps when the model
declares no hidden states.`

/** The CLI.md `layers --json` document, plus residual_stream and modality (additions, not changes). */
export function layersJson(info: ModelInfo): Record<string, unknown> {
  return {
    inputs: info.inputs,
    outputs: info.outputs,
    hidden_states: info.hiddenStates,
    tappable: info.tappable,
    residual_stream: info.residualStream,
    stages: stagesOf(info),
    modality: info.modality,
    file: info.file,
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
  const stream = new Set(info.residualStream)
  const lines = [`${info.file} (${info.modality})`, '', 'inputs:']
  for (const i of info.inputs) lines.push(`  ${i.name}  ${i.type} ${shapeText(i.shape)}`)
  lines.push('outputs:')
  for (const o of info.outputs) lines.push(`  ${o.name}  ${o.type} ${shapeText(o.shape)}`)
  lines.push(`hidden states: ${info.hiddenStates.length ? info.hiddenStates.join(', ') : 'none declared'}`)
  lines.push(`residual stream (--layers all without hidden states): ${info.residualStream.length ? info.residualStream.length + ' tensors' : 'not found'}`)
  if (info.stages.length) lines.push(`stages (feature maps, --layers all without hidden states, pooled by spatial mean): ${stagesOf(info).map((x) => `${x.name} ${x.layout}`).join(', ')}`)
  lines.push(`tappable tensors (${info.tappable.length}):`)
  for (const t of info.tappable) lines.push(`  ${stream.has(t.name) ? 'block ' : '      '}${t.name}  ${t.op}${t.shape ? ' ' + shapeText(t.shape) : ''}`)
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
