import onnxProto from 'onnx-proto'
import type { ModelProto } from './graph'

const { onnx } = onnxProto

/** The bool input of Optimum's merged decoders that picks the branch with a key/value cache. */
export const USE_CACHE_BRANCH = 'use_cache_branch'

/**
 * Optimum's decoder_model_merged.onnx wraps the decoder in an `If` on the graph input
 * `use_cache_branch`: the then-branch reads a key/value cache, the else-branch does not. Extraction
 * always feeds `false` (see decoderInputs), so replacing the `If` by its else-branch computes the same
 * outputs, and puts the decoder's nodes in the main graph, where layers are found and tapped (a
 * subgraph's tensors cannot be graph outputs). Branch outputs named unlike the `If`'s get an Identity.
 * Changes `m` in place; returns whether it did.
 */
export function inlineNoCacheBranch(m: ModelProto): boolean {
  const g = m.graph!
  const nodes = g.node ?? []
  if (!(g.input ?? []).some((i) => i.name === USE_CACHE_BRANCH)) return false
  const at = nodes.findIndex((n) => n.opType === 'If' && n.input?.[0] === USE_CACHE_BRANCH)
  if (at < 0) return false
  const node = nodes[at]!
  const branch = node.attribute?.find((a) => a.name === 'else_branch')?.g
  if (!branch || (branch.output ?? []).length !== (node.output ?? []).length) return false
  const body = [...(branch.node ?? [])]
  ;(branch.output ?? []).forEach((o, k) => {
    const outer = node.output![k]!
    if (o.name !== outer) body.push(onnx.NodeProto.create({ opType: 'Identity', input: [o.name ?? ''], output: [outer], name: `${node.name ?? 'If'}/else_output_${k}` }))
  })
  g.node = [...nodes.slice(0, at), ...body, ...nodes.slice(at + 1)]
  g.initializer = [...(g.initializer ?? []), ...(branch.initializer ?? [])]
  g.valueInfo = [...(g.valueInfo ?? []), ...(branch.valueInfo ?? [])]
  return true
}
