import onnxProto from 'onnx-proto'
import { describe, expect, it } from 'vitest'
import { buildModel, FLOAT } from '../../../src-main/core/onnx/kernels/graphBuilder'
import { lastAxisWidths } from '../../../src-main/core/onnx/widths'

const zeros = (n: number): number[] => new Array<number>(n).fill(0)

describe('lastAxisWidths', () => {
  it('follows weights, broadcasting, norms, last-axis reductions and concatenations, and stops at reshapes', () => {
    const bytes = buildModel({
      name: 'w',
      inputs: [{ name: 'x', type: FLOAT, shape: ['b', 't', 'd'] }],
      outputs: [{ name: 'out', type: FLOAT, shape: ['b', 't', 'd'] }],
      consts: [
        { name: 'W', type: FLOAT, dims: [8, 6], values: zeros(48) },
        { name: 'eps', type: FLOAT, dims: [], values: [1e-6] },
        { name: 'shape', type: FLOAT, dims: [3], values: [0, 0, -1] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['h'] }, // [.., 6] from W
        { op: 'Mul', inputs: ['h', 'h'], outputs: ['sq'] },
        { op: 'ReduceMean', inputs: ['sq'], outputs: ['var'], attrs: { axes: [-1], keepdims: 1 } }, // 1
        { op: 'Add', inputs: ['var', 'eps'], outputs: ['var_eps'] }, // 1 + scalar: 1
        { op: 'Div', inputs: ['h', 'var_eps'], outputs: ['normed'] }, // 6 broadcast with 1: 6
        { op: 'Concat', inputs: ['normed', 'h'], outputs: ['both'], attrs: { axis: -1 } }, // 12
        { op: 'Concat', inputs: ['normed', 'x'], outputs: ['rows'], attrs: { axis: 1 } }, // 6
        { op: 'Reshape', inputs: ['both', 'shape'], outputs: ['out'] }, // not followed
      ],
    })
    const w = lastAxisWidths(onnxProto.onnx.ModelProto.decode(bytes))
    expect(['h', 'sq', 'var', 'var_eps', 'normed', 'both', 'rows'].map((t) => w.get(t))).toEqual([6, 6, 1, 1, 6, 12, 6])
    expect(w.has('x')).toBe(false) // symbolic
    expect(w.has('out')).toBe(false) // declared symbolic, and a Reshape is not followed
  })
})
