import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BatchRecorder, createFeatureSet, doneBatches, f32Bytes, finishFeatureSet, getFeatureSet, loadFeatures, type StoredBatch } from '../../../src-main/core/features/store'
import { Workspace } from '../../../src-main/core/store/workspace'

let tmp: string
let ws: Workspace
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-recorder-'))
  ws = Workspace.open(path.join(tmp, 'ws'))
})
afterEach(() => {
  ws.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

/** A set of 5 batches of 2 items, L = 1, D = 3, and the durable file of batch b (values 100b + i). */
function setup(): { id: string; batch: (b: number) => StoredBatch } {
  const s = createFeatureSet(ws, { modelSha256: 'm'.repeat(64), datasetSha256: 'd'.repeat(64), n: 10, layers: ['h'], pool: 'cls', preprocessing: {}, dtype: 'float32', modelPath: 'model.onnx', datasetPath: 'data', modality: 'vision', batchSize: 2, modelId: null })
  const batch = (b: number): StoredBatch => {
    const f = Float32Array.from({ length: 6 }, (_, i) => 100 * b + i)
    return { batchIndex: b, start: 2 * b, count: 2, stored: ws.arrays.put(f32Bytes(f)), dim: 3, seconds: 0.5 }
  }
  return { id: s.id, batch }
}

describe('BatchRecorder', () => {
  it('is due after maxRows rows, writes them all in one flush, and the set reads back complete', () => {
    const { id, batch } = setup()
    const r = new BatchRecorder(ws, id, 3, 60_000)
    r.add(batch(0))
    r.add(batch(1))
    expect(r.due()).toBe(false)
    // Nothing is visible before the flush: rows wait in memory.
    expect(doneBatches(ws, id).size).toBe(0)
    r.add(batch(2))
    expect(r.due()).toBe(true)
    expect(r.flush()).toBe(3)
    expect(r.pending).toBe(0)
    expect([...doneBatches(ws, id)].sort()).toEqual([0, 1, 2])
    r.add(batch(4))
    r.add(batch(3))
    expect(r.flush()).toBe(2)
    expect(r.flush()).toBe(0)
    expect(finishFeatureSet(ws, id, 'cpu', [])).toBe(true)
    const s = getFeatureSet(ws, id)
    expect(s).toMatchObject({ dim: 3, state: 'complete' })
    expect(s.seconds).toBeCloseTo(2.5, 9)
    expect(Array.from(loadFeatures(ws, id).data)).toEqual(Array.from({ length: 30 }, (_, k) => 100 * Math.floor(k / 6) + (k % 6)))
  })

  it('is due once the oldest waiting row is maxMs old, and never while empty', async () => {
    const { id, batch } = setup()
    const r = new BatchRecorder(ws, id, 100, 30)
    expect(r.due()).toBe(false)
    r.add(batch(0))
    expect(r.due()).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 45))
    expect(r.due()).toBe(true)
    r.flush()
    expect(r.due()).toBe(false)
  })

  it('keeps its rows when a write fails, so a later flush records them and nothing is half-written', () => {
    const { id, batch } = setup()
    const r = new BatchRecorder(ws, id)
    r.add(batch(0))
    r.add(batch(1))
    // The second row's insert fails: the transaction must leave neither row behind.
    ws.db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON feature_batches WHEN NEW.batch_index = 1 BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`)
    expect(() => r.flush()).toThrow(/disk trouble/)
    expect(doneBatches(ws, id).size).toBe(0)
    expect(getFeatureSet(ws, id).seconds).toBe(0)
    expect(r.pending).toBe(2)
    ws.db.exec('DROP TRIGGER refuse')
    expect(r.flush()).toBe(2)
    expect([...doneBatches(ws, id)].sort()).toEqual([0, 1])
    expect(getFeatureSet(ws, id).seconds).toBeCloseTo(1, 9)
  })
})
