import type onnxProto from 'onnx-proto'
import type { Pool } from '../features/pool'
import type { GraphAddition } from './graphCopy'

type Node = onnxProto.onnx.INodeProto
type ValueInfo = onnxProto.onnx.IValueInfoProto

const FLOAT = 1
const INT64 = 7
const BOOL = 9
const DOUBLE = 11

/** Names the pooled graph adds, per layer in request order, and the inputs it needs fed. */
export interface GraphPooling {
  /** Pooled `[B, D]` float32 for a `[B, T, D]` layer; any other rank passes through as float32 (pooled in JavaScript). */
  pooled: string[]
  /** int64 shape of the layer as computed, for the checks the raw tensor used to get. */
  shapes: string[]
  /** bool `[B, T]`, true at real tokens (masked mean), when the model's tokens are padded text. */
  maskInput: string | null
  /** int64 `[B, 1]`, the token each row keeps (cls / last), when the model's tokens are padded text. */
  indexInput: string | null
  addition: GraphAddition
}

/** Lowest default-domain opset the nodes below are written for (GatherND's batch_dims). */
export const MIN_POOLING_OPSET = 12

const PREFIX = 'platonic_lab/pool'

/**
 * Nodes that pool each layer inside the graph copy, so only `[B, D]` per layer leaves the session and
 * the `[B, T, D]` activations are freed as soon as they are pooled. Same definitions as poolLayerInto
 * (features/pool.ts), which stays the reference and the path for what is not pooled here:
 * - cls / last: the row's token `index[b]` (first / last real token: 0 or T-n / n-1 or T-1 as the
 *   padding side says; images: token 0 / T-1), by GatherND with batch_dims = 1.
 * - mean: sum over real tokens of h, divided by their count, both in float64 (Where keeps padding out
 *   even if it holds NaN or infinity), then rounded to float32 once, as the JavaScript path does.
 * A layer whose rank turns out not to be 3 goes through unchanged (If on the rank); a `[B, C, H, W]`
 * feature map is where a spatial mean (ReduceSum over axes 2, 3 / H*W) would go as a second branch.
 * `masked`: text, fed the mask / index inputs; otherwise every token is real (images).
 */
export function poolingAddition(layers: readonly string[], pool: Pool, masked: boolean, opset: number): GraphPooling | null {
  if (opset < MIN_POOLING_OPSET) return null
  const maskInput = masked && pool === 'mean' ? `${PREFIX}/mask` : null
  const indexInput = masked && pool !== 'mean' ? `${PREFIX}/index` : null
  const inputs: ValueInfo[] = []
  if (maskInput) inputs.push(tensorInfo(maskInput, BOOL, ['batch', 'tokens']))
  if (indexInput) inputs.push(tensorInfo(indexInput, INT64, ['batch', 1]))
  // Constants, added when first used (onnxruntime warns on stderr about unused initializers).
  const CONSTS: Record<string, onnxProto.onnx.ITensorProto> = {
    three: { dataType: INT64, dims: [], int64Data: [3] },
    one: { dataType: INT64, dims: [], int64Data: [1] },
    zero: { dataType: INT64, dims: [], int64Data: [0] },
    minus_one: { dataType: INT64, dims: [], int64Data: [-1] },
    axis1: { dataType: INT64, dims: [1], int64Data: [1] },
    zero_f64: { dataType: DOUBLE, dims: [], doubleData: [0] },
    mask_shape: { dataType: INT64, dims: [3], int64Data: [0, 0, 1] },
  }
  const initializers: onnxProto.onnx.ITensorProto[] = []
  const c = (name: string): string => {
    const full = `${PREFIX}/const/${name}`
    if (!initializers.some((t) => t.name === full)) initializers.push({ name: full, ...CONSTS[name] })
    return full
  }
  // ReduceSum takes its axes as an input from opset 13, as an attribute before.
  const reduceSum = (x: string, out: string, keepdims: number): Node =>
    opset >= 13
      ? { opType: 'ReduceSum', input: [x, c('axis1')], output: [out], attribute: [intAttr('keepdims', keepdims)] }
      : { opType: 'ReduceSum', input: [x], output: [out], attribute: [intAttr('keepdims', keepdims), { name: 'axes', type: 7, ints: [1] }] }
  const nodes: Node[] = []
  const outputs: ValueInfo[] = []
  const pooled: string[] = []
  const shapes: string[] = []
  if (maskInput) {
    nodes.push({ opType: 'Reshape', input: [maskInput, c('mask_shape')], output: [`${PREFIX}/mask3`] })
    nodes.push({ opType: 'Cast', input: [maskInput], output: [`${PREFIX}/mask_f64`], attribute: [intAttr('to', DOUBLE)] })
    nodes.push(reduceSum(`${PREFIX}/mask_f64`, `${PREFIX}/count`, 1))
  }
  layers.forEach((x, k) => {
    const p = `${PREFIX}/${k}`
    const v = (name: string): string => `${p}/${name}`
    nodes.push({ opType: 'Shape', input: [x], output: [v('shape')] })
    nodes.push({ opType: 'Size', input: [v('shape')], output: [v('rank')] })
    nodes.push({ opType: 'Equal', input: [v('rank'), c('three')], output: [v('is3')] })
    const then: Node[] = []
    if (pool === 'mean') {
      then.push({ opType: 'Cast', input: [x], output: [v('f64')], attribute: [intAttr('to', DOUBLE)] })
      if (maskInput) {
        then.push({ opType: 'Where', input: [`${PREFIX}/mask3`, v('f64'), c('zero_f64')], output: [v('kept')] })
        then.push(reduceSum(v('kept'), v('sum'), 0))
        then.push({ opType: 'Div', input: [v('sum'), `${PREFIX}/count`], output: [v('mean')] })
      } else {
        then.push(reduceSum(v('f64'), v('sum'), 0))
        then.push({ opType: 'Gather', input: [v('shape'), c('one')], output: [v('tokens')], attribute: [intAttr('axis', 0)] })
        then.push({ opType: 'Cast', input: [v('tokens')], output: [v('tokens_f64')], attribute: [intAttr('to', DOUBLE)] })
        then.push({ opType: 'Div', input: [v('sum'), v('tokens_f64')], output: [v('mean')] })
      }
      then.push({ opType: 'Cast', input: [v('mean')], output: [v('then')], attribute: [intAttr('to', FLOAT)] })
    } else {
      if (indexInput) then.push({ opType: 'GatherND', input: [x, indexInput], output: [v('picked')], attribute: [intAttr('batch_dims', 1)] })
      else then.push({ opType: 'Gather', input: [x, c(pool === 'cls' ? 'zero' : 'minus_one')], output: [v('picked')], attribute: [intAttr('axis', 1)] })
      then.push({ opType: 'Cast', input: [v('picked')], output: [v('then')], attribute: [intAttr('to', FLOAT)] })
    }
    const otherwise: Node[] = [{ opType: 'Cast', input: [x], output: [v('else')], attribute: [intAttr('to', FLOAT)] }]
    nodes.push({
      opType: 'If',
      name: v('if'),
      input: [v('is3')],
      output: [v('pooled')],
      attribute: [
        { name: 'then_branch', type: 5, g: { name: v('then_graph'), node: then, output: [tensorInfo(v('then'), FLOAT, null)] } },
        { name: 'else_branch', type: 5, g: { name: v('else_graph'), node: otherwise, output: [tensorInfo(v('else'), FLOAT, null)] } },
      ],
    })
    outputs.push(tensorInfo(v('pooled'), FLOAT, null), tensorInfo(v('shape'), INT64, null))
    pooled.push(v('pooled'))
    shapes.push(v('shape'))
  })
  return { pooled, shapes, maskInput, indexInput, addition: { inputs, outputs, nodes, initializers } }
}

function intAttr(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return { name, type: 2, i }
}

function tensorInfo(name: string, elemType: number, shape: (string | number)[] | null): ValueInfo {
  return {
    name,
    type: { tensorType: { elemType, ...(shape ? { shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  }
}

/**
 * The pooling inputs for one padded text feed: real tokens of row b are `lengths[b]` at the end (left
 * padding) or the start (right padding) of `tokens` positions, as poolLayerInto reads TokenMask.
 */
export function poolingFeeds(g: GraphPooling, lengths: Int32Array, paddingSide: 'left' | 'right', tokens: number, pool: Pool): Record<string, { type: 'bool' | 'int64'; data: Uint8Array | BigInt64Array; dims: number[] }> {
  const B = lengths.length
  const out: ReturnType<typeof poolingFeeds> = {}
  if (g.maskInput) {
    const m = new Uint8Array(B * tokens)
    for (let b = 0; b < B; b++) {
      const n = lengths[b]!
      if (n <= 0 || n > tokens) throw new RangeError(`poolingFeeds: row ${b} has ${n} real tokens of ${tokens}`)
      const first = paddingSide === 'left' ? tokens - n : 0
      m.fill(1, b * tokens + first, b * tokens + first + n)
    }
    out[g.maskInput] = { type: 'bool', data: m, dims: [B, tokens] }
  }
  if (g.indexInput) {
    const idx = new BigInt64Array(B)
    for (let b = 0; b < B; b++) {
      const n = lengths[b]!
      if (n <= 0 || n > tokens) throw new RangeError(`poolingFeeds: row ${b} has ${n} real tokens of ${tokens}`)
      const first = paddingSide === 'left' ? tokens - n : 0
      idx[b] = BigInt(pool === 'cls' ? first : first + n - 1)
    }
    out[g.indexInput] = { type: 'int64', data: idx, dims: [B, 1] }
  }
  return out
}
