import type onnxProto from 'onnx-proto'
import type { ModelProto } from './graph'

type Node = onnxProto.onnx.INodeProto

/** Ops whose output has the last dim of their first input. */
const SAME_AS_INPUT = new Set([
  'Cast', 'Identity', 'Cos', 'Sin', 'Relu', 'Gelu', 'FastGelu', 'QuickGelu', 'Sigmoid', 'Tanh', 'Erf', 'Softmax', 'LogSoftmax', 'Neg', 'Sqrt', 'Reciprocal', 'Exp', 'Log', 'Abs',
  'Dropout', 'LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization', 'DequantizeLinear', 'Clip',
])
/** Elementwise ops whose inputs broadcast together. */
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Where', 'BiasGelu', 'Sum'])

function attr(n: Node, name: string): onnxProto.onnx.IAttributeProto | undefined {
  return n.attribute?.find((a) => a.name === name)
}

/**
 * The static size of the last axis of as many tensors as can be told without running the model, by
 * following the nodes in order: a weight's (or Constant's) own shape, a MatMul's (or MatMulNBits' `N`) output width,
 * elementwise ops broadcasting their inputs' widths, norms and activations keeping theirs, a
 * concatenation on the last axis adding them up (on an earlier axis keeping them), a reduction over
 * the last axis giving 1. Reshapes, transposes, unsqueezes and convolutions are not followed (their width stays unknown), so the map is an under-approximation, never a guess: what
 * it holds is what onnx shape inference would give for the last axis.
 */
export function lastAxisWidths(m: ModelProto): Map<string, number> {
  const g = m.graph!
  const w = new Map<string, number>()
  for (const t of g.initializer ?? []) w.set(t.name ?? '', t.dims?.length ? Number(t.dims[t.dims.length - 1]) : 1)
  for (const v of [...(g.input ?? []), ...(g.valueInfo ?? []), ...(g.output ?? [])]) {
    const dims = v.type?.tensorType?.shape?.dim
    const last = dims?.length ? dims[dims.length - 1] : undefined
    if (last && last.dimValue !== undefined && last.dimValue !== null && Number(last.dimValue) > 0 && !last.dimParam) w.set(v.name ?? '', Number(last.dimValue))
  }
  const initDims = new Map((g.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(Number)]))
  for (const n of g.node ?? []) {
    const out = n.output?.[0]
    if (!out || w.has(out)) continue
    const ins = (n.input ?? []).map((t) => (t ? w.get(t) : undefined))
    let width: number | undefined
    const op = n.opType ?? ''
    if (SAME_AS_INPUT.has(op)) width = ins[0]
    else if (BROADCAST.has(op)) {
      const vals = op === 'Where' ? ins.slice(1) : ins
      const big = vals.find((x) => x !== undefined && x > 1)
      width = big ?? (vals.every((x) => x === 1) ? 1 : undefined)
    } else if (op === 'MatMul' || op === 'MatMulInteger' || op === 'FusedMatMul') width = ins[1]
    else if (op === 'MatMulNBits') width = Number(attr(n, 'N')?.i ?? NaN) || undefined
    else if (op === 'Gemm') {
      const b = initDims.get(n.input?.[1] ?? '')
      if (b?.length === 2) width = Number(attr(n, 'transB')?.i ?? 0) ? b[0] : b[1]
    } else if (op === 'Gather') {
      const data = initDims.get(n.input?.[0] ?? '')
      const axis = Number(attr(n, 'axis')?.i ?? 0)
      if (data && data.length >= 2 && axis === 0) width = data[data.length - 1]
    } else if (op === 'Constant') {
      const t = attr(n, 'value')?.t
      if (t) width = t.dims?.length ? Number(t.dims[t.dims.length - 1]) : 1
    } else if (op === 'Concat') {
      const axis = Number(attr(n, 'axis')?.i ?? 0)
      if (axis === -1) width = ins.every((x) => x !== undefined) ? ins.reduce((a: number, x) => a + x, 0) : undefined
      else if (axis >= 0) width = ins.find((x) => x !== undefined)
    } else if (op === 'ReduceMean' || op === 'ReduceSum') {
      const axes = attr(n, 'axes')?.ints?.map(Number)
      const keep = Number(attr(n, 'keepdims')?.i ?? 1)
      if (keep && axes?.length === 1 && axes[0] === -1) width = 1
    }
    if (width !== undefined && Number.isFinite(width) && width > 0) w.set(out, width)
  }
  return w
}
