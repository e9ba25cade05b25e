import onnxProto from 'onnx-proto'
import { badInput } from '../../common/errors'
import type { ModelProto } from './graph'
import type { GraphAddition } from './graphCopy'
import { prunePlan, type PrunePlan } from './prune'

const { onnx } = onnxProto

/** The bool input of Optimum's merged decoders that picks the branch with a key/value cache. */
export const USE_CACHE_BRANCH = 'use_cache_branch'

/**
 * Optimum's decoder_model_merged.onnx wraps the decoder in an `If` on the graph input
 * `use_cache_branch`: the then-branch reads a key/value cache, the else-branch does not. Extraction
 * always feeds `false` (see decoderInputs), so the `If` replaced by its else-branch computes the same
 * outputs and puts the decoder's nodes in the main graph, where layers are found and tapped (a
 * subgraph's tensors cannot be graph outputs). Branch outputs named unlike the `If`'s get an Identity.
 * Returns the `If`'s position and what replaces it, or null for any other graph.
 */
export function noCacheBranch(m: ModelProto): { at: number; nodes: onnxProto.onnx.INodeProto[]; initializers: onnxProto.onnx.ITensorProto[]; valueInfo: onnxProto.onnx.IValueInfoProto[] } | null {
  const g = m.graph!
  const nodes = g.node ?? []
  if (!(g.input ?? []).some((i) => i.name === USE_CACHE_BRANCH)) return null
  const at = nodes.findIndex((n) => n.opType === 'If' && n.input?.[0] === USE_CACHE_BRANCH)
  if (at < 0) return null
  const node = nodes[at]!
  const branch = node.attribute?.find((a) => a.name === 'else_branch')?.g
  if (!branch || (branch.output ?? []).length !== (node.output ?? []).length) return null
  const identities = (branch.output ?? []).flatMap((o, k) => (o.name === node.output![k] ? [] : [onnx.NodeProto.create({ opType: 'Identity', input: [o.name ?? ''], output: [node.output![k]!], name: `${node.name ?? 'If'}/else_output_${k}` })]))
  return { at, nodes: [...(branch.node ?? []), ...identities], initializers: branch.initializer ?? [], valueInfo: branch.valueInfo ?? [] }
}

/** `noCacheBranch` applied to a decoded model, in place; returns whether it changed it. */
export function inlineNoCacheBranch(m: ModelProto): boolean {
  const found = noCacheBranch(m)
  if (!found) return false
  const g = m.graph!
  g.node = [...g.node!.slice(0, found.at), ...found.nodes.map((n) => onnx.NodeProto.create(n)), ...g.node!.slice(found.at + 1)]
  g.initializer = [...(g.initializer ?? []), ...found.initializers.map((t) => onnx.TensorProto.create(t))]
  g.valueInfo = [...(g.valueInfo ?? []), ...found.valueInfo.map((v) => onnx.ValueInfoProto.create(v))]
  return true
}

/** Whether a tensor of the weight-free structure (protoScan.ts) lost its payload. */
function payloadDropped(t: onnxProto.onnx.ITensorProto): boolean {
  const size = (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1)
  if (size === 0 || t.dataLocation === 1) return false
  const has = (x: { length: number } | null | undefined): boolean => !!x && x.length > 0
  return !has(t.rawData) && !has(t.floatData) && !has(t.int32Data) && !has(t.int64Data) && !has(t.doubleData) && !has(t.uint64Data) && !has(t.stringData)
}

/**
 * How to write a merged decoder's copy for tapping (prunedCopy.ts): every entry of the file kept but the
 * `If`, and its no-cache branch added; with `wanted`, only the branch nodes those tensors need and only
 * the declared outputs among them. `m` is the weight-free structure of `file`; a branch that holds its
 * own large constants (their bytes are not in the structure) cannot be moved and is refused.
 */
export function noCacheBranchCopy(file: string, m: ModelProto, wanted: readonly string[] | null): { plan: PrunePlan; addition: GraphAddition } | null {
  const found = noCacheBranch(m)
  if (!found) return null
  if (wanted) {
    const body = prunePlan(onnx.ModelProto.create({ graph: { node: found.nodes, initializer: found.initializers } }), wanted)
    found.nodes = found.nodes.filter((_, i) => body.node.has(i))
    found.initializers = found.initializers.filter((_, i) => body.initializer.has(i))
  }
  const tensors = [...found.initializers, ...found.nodes.flatMap((n) => (n.attribute ?? []).flatMap((a) => (a.t ? [a.t] : [])))]
  if (tensors.some(payloadDropped)) throw badInput(file, 'the merged decoder keeps large constants inside its no-cache branch, so its layers cannot be tapped; open the decoder exported without past (decoder_model.onnx or model.onnx) instead')
  const g = m.graph!
  const all = (xs: unknown[] | null | undefined, except = -1): Set<number> => new Set((xs ?? []).map((_, i) => i).filter((i) => i !== except))
  const want = wanted ? new Set(wanted) : null
  const output = new Set([...all(g.output)].filter((i) => !want || want.has(g.output![i]!.name ?? '')))
  const plan: PrunePlan = { node: all(g.node, found.at), input: all(g.input), output, initializer: all(g.initializer), sparseInitializer: all(g.sparseInitializer), valueInfo: all(g.valueInfo) }
  return { plan, addition: { nodes: found.nodes, initializers: found.initializers } }
}
