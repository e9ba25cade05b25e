import onnxProto from 'onnx-proto'
import { badInput } from '../../common/errors'
import { inlineNoCacheBranch } from './cacheBranch'
import { featureMapLayouts, findFeatureMapStages } from './featureMaps'
import { externalRefs } from './externalData'
import type { GraphAddition } from './graphCopy'
import { scanModelFile, type ScanLimits } from './protoScan'
import { lastAxisWidths } from './widths'

const { onnx } = onnxProto
export type ModelProto = onnxProto.onnx.ModelProto
export const ModelProtoCodec = onnx.ModelProto

/** ONNX TensorProto.DataType ids to the names onnxruntime uses. */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
}

export interface TensorDecl {
  name: string
  type: string
  /** Dimensions: a number when fixed, the symbolic name (or null) when dynamic. */
  shape: (number | string | null)[] | null
}

export interface TappableTensor {
  name: string
  op: string
  shape: (number | string | null)[] | null
}

export interface GraphSummary {
  inputs: TensorDecl[]
  outputs: TensorDecl[]
  /** Declared hidden-state outputs in layer order: hidden_states.0..K, else last_hidden_state. */
  hiddenStates: string[]
  tappable: TappableTensor[]
  /** Residual stream: the input of the first block then the output of every block, or [] if no blocks were found. */
  residualStream: string[]
  /** Stage outputs of a convolutional or hierarchical vision network (feature maps; widths may differ), or []. */
  stages: string[]
  /** Tensors the graph shows to be channels-last `[B, H, W, C]` feature maps (Swin-style); other 4-D maps are `[B, C, H, W]`. */
  channelsLast: string[]
  /** Float element type of the model's activations (1 = float32, 10 = float16, 16 = bfloat16). */
  floatElemType: number
  /** Relative external data files referenced by initializers. */
  externalDataFiles: string[]
  /** Width of the token embedding table ([vocab, width], gathered by a graph input), or null if there is none. */
  tokenEmbeddingWidth: number | null
  /** Last-axis width of each residual-stream tensor that can be told without running the model (see `lastAxisWidths`). */
  streamWidths: Record<string, number>
  /** Version of the default (ai.onnx) operator set the graph uses. */
  opset: number
}

/**
 * Decodes an ONNX file's ModelProto without its weights: a wire-format scan (protoScan.ts) bounds the
 * graph's size and leaves out tensor payloads of PAYLOAD_KEPT_BYTES or more, so the result describes
 * the graph (names, types, shapes, external data references, small constants) and never holds inline
 * weights. Protobuf decoding accepts many byte strings, so beyond the decode the model must have a graph
 * with nodes and declared inputs and outputs; anything else is not a model.
 */
export function readModelProto(file: string, limits?: ScanLimits): ModelProto {
  return decodeModelProto(file, scanModelFile(file, limits).structure)
}

export function decodeModelProto(file: string, bytes: Uint8Array): ModelProto {
  let m: ModelProto
  try {
    m = onnx.ModelProto.decode(bytes)
  } catch (e) {
    throw badInput(file, `not a valid ONNX model: ${e instanceof Error ? e.message : String(e)} (is the file complete?)`)
  }
  const g = m.graph
  if (!g || !g.node?.length || !g.output?.length) throw badInput(file, 'not a valid ONNX model: no graph with nodes and outputs')
  if (!m.opsetImport || m.opsetImport.length === 0) throw badInput(file, 'not a valid ONNX model: no operator set declared')
  return m
}

function decl(v: onnxProto.onnx.IValueInfoProto): TensorDecl {
  const tt = v.type?.tensorType
  const shape = tt?.shape?.dim ? tt.shape.dim.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : null)) : null
  return { name: v.name ?? '', type: ELEM_TYPES[tt?.elemType ?? 0] ?? `type${tt?.elemType ?? '?'}`, shape }
}

/** hidden_states.0, hidden_states_3, last_hidden_state: the names transformers/Optimum exports use. */
export function hiddenStateOrder(names: string[]): string[] {
  const numbered = names
    .map((n) => ({ n, m: /^(?:hidden_states|all_hidden_states)[._]?(\d+)$/.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => x.n)
  if (numbered.length) return numbered
  return names.filter((n) => n === 'last_hidden_state')
}

/**
 * Scope of a node inside a repeated block, from the exporter's module-path node names:
 * "/encoder/layers/encoder_layer_3/mlp/Add" -> template "/encoder/layers/encoder_layer_#", index 3;
 * "/h.0/attn/MatMul" -> "/h.#"; "/model/layers/7/Add" -> "/model/layers/#". The last segment is the
 * node's own name and never a scope.
 */
export function blockScope(nodeName: string): { template: string; index: number } | null {
  const seg = nodeName.split('/')
  for (let i = 0; i < seg.length - 1; i++) {
    const s = seg[i]!
    const m = /^([A-Za-z][\w-]*?)([._-]?)(\d+)$/.exec(s)
    if (m) return { template: [...seg.slice(0, i), `${m[1]}${m[2]}#`].join('/'), index: Number(m[3]) }
    if (/^\d+$/.test(s) && i > 0) return { template: [...seg.slice(0, i), '#'].join('/'), index: Number(s) }
  }
  return null
}

/** A node's name with its block index replaced by `#`: the same node in every block has the same template. */
function nodeTemplate(nodeName: string): string | null {
  const s = blockScope(nodeName)
  if (!s) return null
  const depth = s.template.split('/').length
  return [s.template, ...nodeName.split('/').slice(depth)].join('/')
}

/**
 * Finds the residual stream of a transformer export: the input of the first block, then the output of
 * every block. Blocks are the nodes grouped by repeated scope (the template with the most distinct
 * indices). A block's output is the last-produced tensor of the block that the next block reads (for the
 * last block: the tensor of the same node as the other blocks' outputs, else the last-produced one used
 * after the block). The stream's start is the tensor entering block 0 that block 0 reads through the same
 * nodes as block 1 reads block 0's output (the norm and the residual skip): the embedding output, never a
 * rotary, mask or position table that every block also reads. With one block, the entry is the outside
 * tensor its nodes read most. `inTower` limits the search to one tower's nodes (by node index) in a graph
 * holding several.
 */
export function findResidualStream(m: ModelProto, dataDerived: Set<string>, inTower?: (node: number) => boolean): string[] {
  const nodes = m.graph!.node!
  const groups = new Map<string, Map<number, number[]>>()
  nodes.forEach((n, i) => {
    if (inTower && !inTower(i)) return
    const s = blockScope(n.name ?? '')
    if (!s) return
    let g = groups.get(s.template)
    if (!g) groups.set(s.template, (g = new Map()))
    let list = g.get(s.index)
    if (!list) g.set(s.index, (list = []))
    list.push(i)
  })
  let best: Map<number, number[]> | null = null
  let bestNodes = 0
  for (const g of groups.values()) {
    const count = [...g.values()].reduce((a, l) => a + l.length, 0)
    if (!best || g.size > best.size || (g.size === best.size && count > bestNodes)) {
      best = g
      bestNodes = count
    }
  }
  if (!best || best.size < 1) return []
  const graphOutputs = new Set(m.graph!.output!.map((o) => o.name ?? ''))
  const consumers = new Map<string, number[]>()
  nodes.forEach((n, i) => {
    for (const t of n.input ?? []) {
      if (!t) continue
      let c = consumers.get(t)
      if (!c) consumers.set(t, (c = []))
      c.push(i)
    }
  })
  const producer = new Map<string, number>()
  nodes.forEach((n, i) => (n.output ?? []).forEach((t) => producer.set(t, i)))
  const indices = [...best.keys()].sort((a, b) => a - b)
  const blocks = indices.map((b) => new Set(best.get(b)!))
  const readers = (t: string, block: Set<number>): number[] => (consumers.get(t) ?? []).filter((c) => block.has(c))
  const templatesReading = (t: string, block: Set<number>): Set<string> => new Set(readers(t, block).map((c) => nodeTemplate(nodes[c]!.name ?? '') ?? ''))
  // Output of block k: [tensor, index of its producer among the node's outputs].
  const outputs: (string | null)[] = blocks.map((members, k) => {
    const next = blocks[k + 1]
    let out: string | null = null
    let outPos = -1
    for (const i of members) {
      for (const t of nodes[i]!.output ?? []) {
        if (!t || !dataDerived.has(t)) continue
        const ok = next ? readers(t, next).length > 0 : graphOutputs.has(t) || (consumers.get(t) ?? []).some((c) => !members.has(c))
        if (ok && i > outPos) [out, outPos] = [t, i]
      }
    }
    return out
  })
  const last = blocks.length - 1
  if (last > 0 && outputs[last - 1]) {
    // The last block's output comes from the node that produced the others' (a decoder's last block also
    // produces present.* cache outputs, which are used after it too).
    const tmpl = nodeTemplate(nodes[producer.get(outputs[last - 1]!)!]!.name ?? '')
    const same = [...blocks[last]!].find((i) => nodeTemplate(nodes[i]!.name ?? '') === tmpl)
    const k = same === undefined ? -1 : (nodes[producer.get(outputs[last - 1]!)!]!.output ?? []).indexOf(outputs[last - 1]!)
    if (same !== undefined && k >= 0 && nodes[same]!.output?.[k]) outputs[last] = nodes[same]!.output[k]!
  }
  // Entry of the first block: a data tensor produced outside it, read the way block 1 reads block 0's output.
  const first = blocks[0]!
  const want = blocks.length > 1 && outputs[0] ? templatesReading(outputs[0], blocks[1]!) : null
  let entry: string | null = null
  let bestScore: [number, number, number] = [-1, -1, -1]
  const seen = new Set<string>()
  for (const i of first) {
    for (const t of nodes[i]!.input ?? []) {
      if (!t || seen.has(t) || !dataDerived.has(t) || first.has(producer.get(t) ?? -1)) continue
      seen.add(t)
      const match = want ? [...templatesReading(t, first)].filter((x) => want.has(x)).length : 0
      const score: [number, number, number] = [match, readers(t, first).length, producer.get(t) ?? -1]
      if (score[0] > bestScore[0] || (score[0] === bestScore[0] && (score[1] > bestScore[1] || (score[1] === bestScore[1] && score[2] > bestScore[2])))) [entry, bestScore] = [t, score]
    }
  }
  if (want && bestScore[0] <= 0) entry = null
  return [...(entry ? [entry] : []), ...outputs.filter((o): o is string => o !== null)]
}

/**
 * Tensors computed from the model's inputs through data ops. A Shape node cuts the chain (its output is
 * metadata), so shape arithmetic and constants are not offered as layers.
 */
export function dataDerivedTensors(m: ModelProto): Set<string> {
  const g = m.graph!
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''))
  const derived = new Set((g.input ?? []).map((i) => i.name ?? '').filter((n) => !inits.has(n)))
  for (const n of g.node ?? []) {
    if (n.opType === 'Shape' || n.opType === 'Size' || n.opType === 'Constant') continue
    if ((n.input ?? []).some((t) => t && derived.has(t))) for (const t of n.output ?? []) if (t) derived.add(t)
  }
  return derived
}

/** Width of the token embedding: a Gather from a 2-D table ([vocab, width]) indexed by a graph input. */
function tokenEmbeddingWidth(m: ModelProto): number | null {
  const g = m.graph!
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]))
  const inputs = new Set((g.input ?? []).map((i) => i.name ?? '').filter((n) => !inits.has(n)))
  for (const n of g.node ?? []) {
    const [a, b] = [n.input?.[0] ?? '', n.input?.[1] ?? '']
    if (n.opType === 'Gather' && inputs.has(b) && inits.get(a)?.dims?.length === 2) return Number(inits.get(a)!.dims![1])
  }
  return null
}

const FLOATS = ['float32', 'float16', 'bfloat16']

/**
 * Float type of the activations: the float type holding most weight elements (a float16 export that
 * keeps float32 inputs and outputs computes in float16; quantized weights are integers beside float32
 * scales), else the first float output's, else float32.
 */
function activationType(inits: onnxProto.onnx.ITensorProto[], outputs: TensorDecl[]): string {
  const elements = new Map<string, number>()
  for (const t of inits) {
    const type = ELEM_TYPES[t.dataType ?? 0] ?? ''
    if (FLOATS.includes(type)) elements.set(type, (elements.get(type) ?? 0) + (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1))
  }
  const most = [...elements].sort((a, b) => b[1] - a[1])[0]
  return most?.[0] ?? outputs.map((o) => o.type).find((t) => FLOATS.includes(t)) ?? 'float32'
}

/** Summary of a decoded model; a merged decoder is summarised as the graph extraction runs (its no-cache branch, see `inlineNoCacheBranch`). */
export function summarizeGraph(m: ModelProto): GraphSummary {
  inlineNoCacheBranch(m)
  const g = m.graph!
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''))
  const inputs = (g.input ?? []).filter((i) => !inits.has(i.name ?? '')).map(decl)
  const outputs = (g.output ?? []).map(decl)
  const shapes = new Map<string, TensorDecl>()
  for (const v of [...(g.valueInfo ?? []), ...(g.output ?? [])]) shapes.set(v.name ?? '', decl(v))
  const derived = dataDerivedTensors(m)
  const layouts = featureMapLayouts(m, derived)
  const inputNames = new Set(inputs.map((i) => i.name))
  const tappable: TappableTensor[] = []
  for (const n of g.node ?? []) for (const t of n.output ?? []) if (t && derived.has(t) && !inputNames.has(t)) tappable.push({ name: t, op: n.opType ?? '', shape: shapes.get(t)?.shape ?? null })
  const ft = activationType(g.initializer ?? [], outputs)
  const ext = new Set(externalRefs(g).map((r) => r.location))
  const stream = findResidualStream(m, derived)
  const widths = lastAxisWidths(m)
  const streamWidths: Record<string, number> = {}
  for (const t of stream) if (widths.has(t)) streamWidths[t] = widths.get(t)!
  return {
    inputs,
    outputs,
    hiddenStates: hiddenStateOrder(outputs.map((o) => o.name)),
    tappable,
    residualStream: stream,
    stages: findFeatureMapStages(m, derived, layouts),
    channelsLast: [...layouts].filter(([, l]) => l === 'NHWC').map(([t]) => t),
    floatElemType: ft === 'float16' ? 10 : ft === 'bfloat16' ? 16 : 1,
    externalDataFiles: [...ext],
    tokenEmbeddingWidth: tokenEmbeddingWidth(m),
    streamWidths,
    opset: Number((m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0),
  }
}

/**
 * Graph outputs that expose intermediate tensors `names` (declared outputs are skipped). Typed with the
 * tensor's value_info where the exporter recorded one, else the activation float type: onnxruntime
 * needs an element type on every output and infers the shape.
 */
export function extraOutputs(file: string, names: string[], floatElemType: number): GraphAddition {
  const m = readModelProto(file)
  // A merged decoder's layers live in its no-cache branch, which the session's copy puts in the main graph.
  inlineNoCacheBranch(m)
  const g = m.graph!
  const existing = new Set((g.output ?? []).map((o) => o.name))
  const produced = new Set<string>()
  for (const n of g.node ?? []) for (const t of n.output ?? []) produced.add(t)
  const vi = new Map((g.valueInfo ?? []).map((v) => [v.name, v]))
  const outputs: onnxProto.onnx.IValueInfoProto[] = []
  for (const name of names) {
    if (existing.has(name)) continue
    if (!produced.has(name)) throw badInput(file, `no tensor named ${JSON.stringify(name)} in the graph (see \`layers\` for the tappable names)`)
    outputs.push(vi.get(name) ?? { name, type: { tensorType: { elemType: floatElemType } } })
  }
  return { outputs }
}
