import type onnxProto from 'onnx-proto'
import type { ModelProto } from './graph'

type NodeProto = onnxProto.onnx.INodeProto

/** Names a node reads, including outer-scope tensors its subgraphs (If, Loop, Scan bodies) read. */
function nodeReads(n: NodeProto, out: Set<string>): void {
  for (const t of n.input ?? []) if (t) out.add(t)
  for (const a of n.attribute ?? []) {
    for (const g of [a.g, ...(a.graphs ?? [])]) {
      if (!g) continue
      for (const sub of g.node ?? []) nodeReads(sub, out)
    }
  }
}

/**
 * Cuts a graph down to what `outputs` need, in place, and returns the same model: graph outputs
 * not in `outputs` are dropped, and so are nodes,
 * graph inputs, initializers and value infos that none of them depends on are dropped. A dual encoder
 * pruned to one tower's outputs then asks only for that tower's inputs, and the other tower's weights
 * are never loaded. Every name in `outputs` must already be a graph output (declared or added).
 */
export function pruneToOutputs(m: ModelProto, outputs: readonly string[]): ModelProto {
  const g = m.graph!
  const want = new Set(outputs)
  g.output = (g.output ?? []).filter((o) => want.has(o.name ?? ''))
  const needed = new Set(outputs)
  const nodes = g.node ?? []
  const keep: boolean[] = new Array<boolean>(nodes.length).fill(false)
  // Nodes are topologically sorted, so one backward pass sees every consumer before its producers.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!
    if (!(n.output ?? []).some((t) => t && needed.has(t))) continue
    keep[i] = true
    nodeReads(n, needed)
  }
  g.node = nodes.filter((_, i) => keep[i])
  g.input = (g.input ?? []).filter((v) => needed.has(v.name ?? ''))
  g.initializer = (g.initializer ?? []).filter((t) => needed.has(t.name ?? ''))
  if (g.sparseInitializer) g.sparseInitializer = g.sparseInitializer.filter((t) => needed.has(t.values?.name ?? ''))
  if (g.valueInfo) g.valueInfo = g.valueInfo.filter((v) => needed.has(v.name ?? ''))
  return m
}
