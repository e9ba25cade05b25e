import onnxProto from 'onnx-proto'
import { badInput } from '../../common/errors'
import { featureMapLayouts, findFeatureMapStages } from './featureMaps'
import { externalRefs } from './externalData'
import type { GraphAddition } from './graphCopy'
import { scanModelFile, type ScanLimits } from './protoScan'

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

/**
 * Finds the residual stream of a transformer export: group nodes by repeated block scope (the
 * template with the most distinct indices), take as each block's output the tensor produced inside
 * the block, consumed after it (or a graph output), that is produced last; and as the stream's start
 * the data tensor entering block 0 that most of its nodes read (the pre-norm input and residual skip).
 * `inTower` limits the search to one tower's nodes (by node index) in a graph holding several.
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
  const stream: string[] = []
  indices.forEach((b, k) => {
    const members = new Set(best!.get(b)!)
    if (k === 0) {
      // Entry of the first block: data tensors read by it but produced elsewhere.
      const reads = new Map<string, number>()
      for (const i of members) for (const t of nodes[i]!.input ?? []) if (t && dataDerived.has(t) && !members.has(producer.get(t) ?? -1)) reads.set(t, (reads.get(t) ?? 0) + 1)
      let entry: string | null = null
      let most = 0
      for (const [t, c] of reads) if (c > most || (c === most && (producer.get(t) ?? -1) > (producer.get(entry!) ?? -1))) [entry, most] = [t, c]
      if (entry) stream.push(entry)
    }
    let out: string | null = null
    let outPos = -1
    for (const i of members) {
      for (const t of nodes[i]!.output ?? []) {
        if (!t || !dataDerived.has(t)) continue
        const usedAfter = graphOutputs.has(t) || (consumers.get(t) ?? []).some((c) => !members.has(c))
        if (usedAfter && i > outPos) [out, outPos] = [t, i]
      }
    }
    if (out) stream.push(out)
  })
  return stream
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

export function summarizeGraph(m: ModelProto): GraphSummary {
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
  const floatTypes = [...outputs.map((o) => o.type), ...(g.initializer ?? []).map((t) => ELEM_TYPES[t.dataType ?? 0] ?? '')]
  const ft = floatTypes.find((t) => t === 'float32' || t === 'float16' || t === 'bfloat16') ?? 'float32'
  const ext = new Set(externalRefs(g).map((r) => r.location))
  return {
    inputs,
    outputs,
    hiddenStates: hiddenStateOrder(outputs.map((o) => o.name)),
    tappable,
    residualStream: findResidualStream(m, derived),
    stages: findFeatureMapStages(m, derived, layouts),
    channelsLast: [...layouts].filter(([, l]) => l === 'NHWC').map(([t]) => t),
    floatElemType: ft === 'float16' ? 10 : ft === 'bfloat16' ? 16 : 1,
    externalDataFiles: [...ext],
    opset: Number((m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0),
  }
}

/**
 * Graph outputs that expose intermediate tensors `names` (declared outputs are skipped). Typed with the
 * tensor's value_info where the exporter recorded one, else the activation float type: onnxruntime
 * needs an element type on every output and infers the shape.
 */
export function extraOutputs(file: string, names: string[], floatElemType: number): GraphAddition {
  const g = readModelProto(file).graph!
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
