import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractFeatures } from '../../../src-main/core/features/extract'
import { loadFeatures } from '../../../src-main/core/features/store'
import { buildModel, FLOAT, INT64, type ConstSpec } from '../../../src-main/core/onnx/kernels/graphBuilder'
import { Workspace } from '../../../src-main/core/store/workspace'
import { MODELS, SHAPES } from '../../helpers/fixtures'

let tmp: string
let ws: Workspace
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-oom-'))
  ws = Workspace.open(path.join(tmp, 'ws'))
})
afterAll(() => {
  ws.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

const int64 = (name: string, v: number): ConstSpec => ({ name, type: INT64, dims: [], values: [v] })

/**
 * hidden_states.0 = pixels as [B, 3 tokens, 1024], plus the sum of a zero tensor of 2^(bits(B)) floats,
 * a real allocation that grows with the batch: bits(B) = 3B with `perRow`, else a fixed 48. At 16 rows
 * that is 2^48 floats (1 PiB), which no allocator grants; at 8 rows 2^24 (64 MiB).
 */
function allocModel(name: string, perRow: boolean): string {
  const dir = path.join(tmp, name)
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(path.join(MODELS, 'vit-tiny', 'preprocessor_config.json'), path.join(dir, 'preprocessor_config.json'))
  const bytes = buildModel({
    name,
    inputs: [{ name: 'pixel_values', type: FLOAT, shape: ['batch', 3, 32, 32] }],
    outputs: [{ name: 'hidden_states.0', type: FLOAT, shape: ['batch', 3, 1024] }],
    nodes: [
      { op: 'Shape', inputs: ['pixel_values'], outputs: ['shape'] },
      { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['rows'], attrs: { axis: 0 } },
      { op: 'Mul', inputs: [perRow ? 'rows' : 'one', perRow ? 'three' : 'fortyeight'], outputs: ['bits'] },
      { op: 'Pow', inputs: ['two', 'bits'], outputs: ['count'] },
      { op: 'Reshape', inputs: ['count', 'one_dim'], outputs: ['count1'] },
      { op: 'ConstantOfShape', inputs: ['count1'], outputs: ['zeros'] },
      { op: 'ReduceSum', inputs: ['zeros'], outputs: ['nothing'], attrs: { keepdims: 0 } },
      { op: 'Reshape', inputs: ['pixel_values', 'tokens_shape'], outputs: ['tokens'] },
      { op: 'Add', inputs: ['tokens', 'nothing'], outputs: ['hidden_states.0'] },
    ],
    consts: [
      { name: 'zero', type: INT64, dims: [], values: [0] },
      { name: 'two', type: INT64, dims: [], values: [2] },
      ...(perRow ? [int64('three', 3)] : [int64('one', 1), int64('fortyeight', 48)]),
      { name: 'one_dim', type: INT64, dims: [1], values: [1] },
      { name: 'tokens_shape', type: INT64, dims: [3], values: [0, 3, 1024] },
    ],
  })
  fs.writeFileSync(path.join(dir, 'model.onnx'), bytes)
  return dir
}

describe('out of memory during a run', () => {
  it('halves the rows per run and goes on; the features equal a run that never ran out', async () => {
    const model = allocModel('grows-with-batch', true)
    const progress: string[] = []
    const big = await extractFeatures(ws, { modelPath: model, datasetPath: SHAPES, limit: 32, batch: 16, ep: 'cpu', pool: 'mean' }, { onProgress: (_f, m) => progress.push(m) })
    expect(big.batch_halved).toMatchObject({ from: 16, to: 8, reason: expect.stringMatching(/Failed to allocate|bad_alloc|out of memory/i) })
    expect(big.pooling).toEqual({ in: 'graph', note: null })
    expect(progress).toContain('out of memory with 16 items per run; going on with 8')
    const small = await extractFeatures(ws, { modelPath: model, datasetPath: SHAPES, limit: 32, batch: 4, ep: 'cpu', pool: 'mean' })
    expect(small.batch_halved).toBeNull()
    const a = loadFeatures(ws, big.feature_set)
    const b = loadFeatures(ws, small.feature_set)
    expect(a.n).toBe(32)
    expect(Array.from(a.data)).toEqual(Array.from(b.data))
  })

  it('running out of memory on a single item is BAD_INPUT naming the model', async () => {
    const model = allocModel('always-too-big', false)
    await expect(extractFeatures(ws, { modelPath: model, datasetPath: SHAPES, limit: 4, batch: 4, ep: 'cpu' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/always-too-big.*ran out of memory running a single item/),
    })
  })
})
