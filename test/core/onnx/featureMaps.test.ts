import { describe, expect, it } from 'vitest'
import { decodeModelProto, summarizeGraph } from '../../../src-main/core/onnx/graph'
import { buildModel, FLOAT } from '../../../src-main/core/onnx/kernels/graphBuilder'

/** A summary of a small graph built from node specs; nodes are named by their module scope. */
function summary(nodes: { op: string; name?: string; inputs: string[]; outputs: string[]; attrs?: Record<string, number | number[]> }[], output: string) {
  const bytes = buildModel({ name: 'g', inputs: [{ name: 'x', type: FLOAT, shape: ['batch', 3, 8, 8] }], outputs: [{ name: output, type: FLOAT, shape: ['batch', 4] }], nodes, consts: [{ name: 'w', type: FLOAT, dims: [4, 3, 1, 1], values: Array(12).fill(0.1) }] })
  const m = decodeModelProto('g.onnx', bytes)
  // buildModel leaves names empty; the scopes are what the exporter would write.
  m.graph!.node!.forEach((n, i) => (n.name = nodes[i]!.name ?? `/n${i}`))
  return summarizeGraph(m)
}

describe('feature-map layouts and stages', () => {
  it('Conv gives channels first, Transpose 0,2,3,1 channels last, and layout-keeping ops pass it on', () => {
    const s = summary(
      [
        { op: 'Conv', name: '/stage.0/Conv', inputs: ['x', 'w'], outputs: ['c0'] },
        { op: 'Relu', name: '/stage.0/Relu', inputs: ['c0'], outputs: ['r0'] },
        { op: 'Transpose', name: '/stage.1/Transpose', inputs: ['r0'], outputs: ['t1'], attrs: { perm: [0, 2, 3, 1] } },
        { op: 'Relu', name: '/stage.1/Relu', inputs: ['t1'], outputs: ['r1'] },
        { op: 'ReduceMean', name: '/head/ReduceMean', inputs: ['r1'], outputs: ['y'], attrs: { axes: [1, 2], keepdims: 0 } },
      ],
      'y',
    )
    expect(s.stages).toEqual(['r0', 'r1'])
    expect(s.channelsLast).toEqual(['t1', 'r1'])
  })

  it('an undecided tensor read by Transpose 0,3,1,2 is channels last; token blocks give no stages', () => {
    const s = summary(
      [
        { op: 'Conv', name: '/embed/Conv', inputs: ['x', 'w'], outputs: ['c0'] },
        { op: 'Reshape', name: '/layer.0/Flatten', inputs: ['c0', 'c0'], outputs: ['tok'] },
        { op: 'Identity', name: '/layer.1/Identity', inputs: ['tok'], outputs: ['tok1'] },
        { op: 'Transpose', name: '/head/Transpose', inputs: ['tok1'], outputs: ['y'], attrs: { perm: [0, 3, 1, 2] } },
      ],
      'y',
    )
    expect(s.channelsLast).toEqual(['tok1'])
    // layer.0's output has no decided layout (a Reshape), so the blocks are not feature-map stages.
    expect(s.stages).toEqual([])
  })
})
