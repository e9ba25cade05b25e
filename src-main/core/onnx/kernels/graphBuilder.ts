import onnxProto from 'onnx-proto'

const { onnx } = onnxProto

/** ONNX element types used by the kernels. */
export const FLOAT = onnx.TensorProto.DataType.FLOAT
export const INT64 = onnx.TensorProto.DataType.INT64
export const BOOL = onnx.TensorProto.DataType.BOOL
export const DOUBLE = onnx.TensorProto.DataType.DOUBLE

/** A graph input or output: name, element type and shape (a string is a symbolic dimension). */
export interface ValueSpec {
  name: string
  type: number
  shape: Array<number | string>
}

export type AttrValue = number | number[] | { float: number }

export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attrs?: Record<string, AttrValue>
}

/** A scalar or 1-D constant baked into the graph as an initializer. */
export interface ConstSpec {
  name: string
  type: typeof FLOAT | typeof INT64
  dims: number[]
  values: number[]
}

function valueInfo(v: ValueSpec): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  }
}

function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value }
  if (typeof value === 'object') return { name, type: T.FLOAT, f: value.float }
  return { name, type: T.INT, i: value }
}

function initializer(c: ConstSpec): onnxProto.onnx.ITensorProto {
  return c.type === FLOAT
    ? { name: c.name, dataType: c.type, dims: c.dims, floatData: c.values }
    : { name: c.name, dataType: c.type, dims: c.dims, int64Data: c.values }
}

/**
 * Serialises a small single-graph ONNX model (IR version 8, default domain opset 17) built at run
 * time, ready for `InferenceSession.create(bytes)`. Symbolic dimensions let one session serve every
 * block size.
 */
export function buildModel(spec: {
  name: string
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  nodes: NodeSpec[]
  consts?: ConstSpec[]
  /** Extra operator sets, e.g. `{ 'com.microsoft': 1 }`. */
  domains?: Record<string, number>
}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'platonic-lab',
    opsetImport: [{ domain: '', version: 17 }, ...Object.entries(spec.domains ?? {}).map(([domain, version]) => ({ domain, version }))],
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.consts ?? []).map(initializer),
      node: spec.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}
