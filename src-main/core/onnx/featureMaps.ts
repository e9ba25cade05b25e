import type onnxProto from 'onnx-proto'
import { blockScope } from './graph'

type ModelProto = onnxProto.onnx.ModelProto
type NodeProto = onnxProto.onnx.INodeProto

/** Axis order of a 4-D feature map: channels first (ONNX's Conv convention) or channels last. */
export type MapLayout = 'NCHW' | 'NHWC'

/** Ops whose output is channels-first whatever feeds them (ONNX defines them on [N, C, H, W]). */
const CHANNELS_FIRST_OPS = new Set(['Conv', 'ConvTranspose', 'BatchNormalization', 'MaxPool', 'AveragePool', 'LpPool', 'InstanceNormalization', 'LRN', 'GroupNormalization'])
/**
 * Ops whose output keeps the axis order of their data input: elementwise maths and activations,
 * normalisation over the last axis, slicing and concatenation (Swin's patch merging and window shifts),
 * and MatMul against a weight (a Linear layer on the last axis).
 */
const KEEPS_LAYOUT = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Neg', 'Abs', 'Exp', 'Erf', 'Tanh', 'Sigmoid', 'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Gelu',
  'HardSigmoid', 'HardSwish', 'Softplus', 'Mish', 'Clip', 'Identity', 'Dropout', 'Cast', 'LayerNormalization', 'Slice', 'Concat', 'Pad', 'MatMul',
  'Gemm', 'Where', 'Max', 'Min',
])

function perm(n: NodeProto): string {
  return (n.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map(Number).join(',') ?? ''
}

/**
 * The layout of every tensor the graph determines, by one pass in topological order: Conv-family
 * outputs are NCHW; Transpose(perm 0,2,3,1) makes NHWC and Transpose(perm 0,3,1,2) makes NCHW;
 * layout-keeping ops pass on their first labelled data input's layout. A tensor left undecided that is
 * read by Transpose(perm 0,3,1,2) was NHWC (Swin's last stage before its pooling head). Only 4-D
 * tensors ever use the answer; an undecided 4-D tensor is taken as NCHW, ONNX's convention.
 */
export function featureMapLayouts(m: ModelProto, dataDerived: Set<string>): Map<string, MapLayout> {
  const layout = new Map<string, MapLayout>()
  const nodes = m.graph!.node ?? []
  for (const n of nodes) {
    const op = n.opType ?? ''
    let out: MapLayout | undefined
    if (CHANNELS_FIRST_OPS.has(op)) out = 'NCHW'
    else if (op === 'Transpose') out = perm(n) === '0,2,3,1' ? 'NHWC' : perm(n) === '0,3,1,2' ? 'NCHW' : undefined
    else if (KEEPS_LAYOUT.has(op)) out = (n.input ?? []).filter((t) => t && dataDerived.has(t)).map((t) => layout.get(t)).find((l) => l !== undefined)
    if (out) for (const t of n.output ?? []) if (t) layout.set(t, out)
  }
  for (const n of nodes) if (n.opType === 'Transpose' && perm(n) === '0,3,1,2') for (const t of n.input ?? []) if (t && !layout.has(t)) layout.set(t, 'NHWC')
  return layout
}

/**
 * Stage outputs of a convolutional or hierarchical vision network, from the exporter's module-path
 * node names: torchvision ResNet `/layer1/...` to `/layer4/...`, ConvNeXt and Swin `/features/features.N/...`,
 * Hugging Face `/resnet/encoder/stages.N/...`. Nodes are grouped by their repeated scope (the template
 * with the most indices, as for the residual stream); each index's output is the tensor produced last
 * inside the scope and read after it. Only scopes whose outputs are all spatial feature maps (a layout
 * was decided for them) count, so a transformer's token blocks give none. Widths may differ per stage.
 */
export function findFeatureMapStages(m: ModelProto, dataDerived: Set<string>, layouts: Map<string, MapLayout>): string[] {
  const nodes = m.graph!.node ?? []
  if (!nodes.some((n) => CHANNELS_FIRST_OPS.has(n.opType ?? ''))) return []
  const scopes = new Map<string, Map<number, Set<number>>>()
  nodes.forEach((n, i) => {
    const s = blockScope(n.name ?? '')
    if (!s) return
    const byIndex = scopes.get(s.template) ?? new Map<number, Set<number>>()
    scopes.set(s.template, byIndex)
    const members = byIndex.get(s.index) ?? new Set<number>()
    byIndex.set(s.index, members)
    members.add(i)
  })
  const readers = new Map<string, number[]>()
  nodes.forEach((n, i) => {
    for (const t of n.input ?? []) {
      if (!t) continue
      const r = readers.get(t)
      if (r) r.push(i)
      else readers.set(t, [i])
    }
  })
  const graphOutputs = new Set((m.graph!.output ?? []).map((o) => o.name ?? ''))
  const stageOutput = (members: Set<number>): string | null => {
    let last: string | null = null
    for (const i of [...members].sort((a, b) => a - b)) {
      for (const t of nodes[i]!.output ?? []) {
        if (t && dataDerived.has(t) && (graphOutputs.has(t) || (readers.get(t) ?? []).some((r) => !members.has(r)))) last = t
      }
    }
    return last
  }
  let best: string[] = []
  for (const byIndex of scopes.values()) {
    if (byIndex.size < 2 || byIndex.size <= best.length) continue
    const outs = [...byIndex.keys()].sort((a, b) => a - b).map((k) => stageOutput(byIndex.get(k)!))
    if (outs.every((t): t is string => t !== null && layouts.has(t))) best = outs
  }
  return best
}
