import fs from 'node:fs'
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

/** Inputs, outputs, nodes and initializers to add to a model's main graph. */
export interface GraphAddition {
  inputs?: onnxProto.onnx.IValueInfoProto[]
  outputs?: onnxProto.onnx.IValueInfoProto[]
  nodes?: onnxProto.onnx.INodeProto[]
  initializers?: onnxProto.onnx.ITensorProto[]
}

/** Several additions as one, in order (e.g. extra outputs, then pooling nodes reading them). */
export function mergeAdditions(...parts: GraphAddition[]): GraphAddition {
  return {
    inputs: parts.flatMap((p) => p.inputs ?? []),
    outputs: parts.flatMap((p) => p.outputs ?? []),
    nodes: parts.flatMap((p) => p.nodes ?? []),
    initializers: parts.flatMap((p) => p.initializers ?? []),
  }
}

/**
 * The bytes that, appended to any serialised ModelProto, add `a` to its graph: protobuf merges a
 * message field that occurs twice and appends to repeated fields, so `model ‖ these bytes` parses as
 * the model with the extra inputs, outputs, nodes and initializers (onnxruntime sorts nodes itself).
 * The weights are neither decoded nor copied through JavaScript.
 */
export function additionBytes(a: GraphAddition): Uint8Array {
  return onnx.ModelProto.encode({
    graph: { input: a.inputs ?? [], output: a.outputs ?? [], node: a.nodes ?? [], initializer: a.initializers ?? [] },
  }).finish()
}

/** The same addition on a decoded model (for code that edits a ModelProto it holds anyway). */
export function addToModel(m: onnxProto.onnx.ModelProto, a: GraphAddition): onnxProto.onnx.ModelProto {
  const g = (m.graph ??= onnx.GraphProto.create())
  g.input = [...(g.input ?? []), ...(a.inputs ?? []).map((v) => onnx.ValueInfoProto.create(v))]
  g.output = [...(g.output ?? []), ...(a.outputs ?? []).map((v) => onnx.ValueInfoProto.create(v))]
  g.node = [...(g.node ?? []), ...(a.nodes ?? []).map((n) => onnx.NodeProto.create(n))]
  g.initializer = [...(g.initializer ?? []), ...(a.initializers ?? []).map((t) => onnx.TensorProto.create(t))]
  return m
}

/**
 * Writes `src` plus `a` to `dest` (a file the caller owns): the original bytes are copied by the
 * kernel (copy_file_range or a reflink where the file system offers one), not through the heap.
 */
export function writeGraphCopy(src: string, dest: string, a: GraphAddition): void {
  fs.copyFileSync(src, dest)
  fs.appendFileSync(dest, additionBytes(a))
}
