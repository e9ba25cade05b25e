import type onnxProto from 'onnx-proto'
import type { ModelProto } from './graph'

type NodeProto = onnxProto.onnx.INodeProto

/**
 * Which entries of a graph's repeated fields to keep, by position (the order of the file and of the
 * decoded ModelProto), so a plan made on the structure can be applied to the file's bytes.
 */
export interface PrunePlan {
  node: ReadonlySet<number>
  input: ReadonlySet<number>
  output: ReadonlySet<number>
  initializer: ReadonlySet<number>
  sparseInitializer: ReadonlySet<number>
  valueInfo: ReadonlySet<number>
}

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

function indices<T>(xs: T[] | null | undefined, keep: (x: T) => boolean): Set<number> {
  const s = new Set<number>()
  ;(xs ?? []).forEach((x, i) => keep(x) && s.add(i))
  return s
}

/**
 * What `outputs` need: graph outputs not among them are dropped, and so are nodes, graph inputs,
 * initializers and value infos that none of them depends on. A dual encoder cut down to one tower's
 * outputs then asks only for that tower's inputs, and the other tower's weights are never loaded.
 * `outputs` may name declared outputs and intermediate tensors (tapped layers).
 */
export function prunePlan(m: ModelProto, outputs: readonly string[]): PrunePlan {
  const g = m.graph!
  const needed = new Set(outputs)
  const nodes = g.node ?? []
  const node = new Set<number>()
  // Nodes are topologically sorted, so one backward pass sees every consumer before its producers.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!
    if (!(n.output ?? []).some((t) => t && needed.has(t))) continue
    node.add(i)
    nodeReads(n, needed)
  }
  const want = new Set(outputs)
  return {
    node,
    input: indices(g.input, (v) => needed.has(v.name ?? '')),
    output: indices(g.output, (v) => want.has(v.name ?? '')),
    initializer: indices(g.initializer, (t) => needed.has(t.name ?? '')),
    sparseInitializer: indices(g.sparseInitializer, (t) => needed.has(t.values?.name ?? '')),
    valueInfo: indices(g.valueInfo, (v) => needed.has(v.name ?? '')),
  }
}

/** `prunePlan` applied to a decoded model, in place; returns the same model. */
export function pruneToOutputs(m: ModelProto, outputs: readonly string[]): ModelProto {
  const plan = prunePlan(m, outputs)
  const g = m.graph!
  const pick = <T>(xs: T[] | null | undefined, keep: ReadonlySet<number>): T[] => (xs ?? []).filter((_, i) => keep.has(i))
  g.node = pick(g.node, plan.node)
  g.input = pick(g.input, plan.input)
  g.output = pick(g.output, plan.output)
  g.initializer = pick(g.initializer, plan.initializer)
  g.sparseInitializer = pick(g.sparseInitializer, plan.sparseInitializer)
  g.valueInfo = pick(g.valueInfo, plan.valueInfo)
  return m
}
