import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadDataset } from '../../../src-main/core/data/dataset'
import { BatchPrefetch, PREFETCH } from '../../../src-main/core/features/batchPrefetch'
import { ExtractTiming } from '../../../src-main/core/features/extractProgress'
import type { PrepSpec } from '../../../src-main/core/features/prepare'
import { openPreparer } from '../../../src-main/core/features/preparer'
import { inspectModel } from '../../../src-main/core/onnx/modelInfo'
import { MODELS, SHAPES } from '../../helpers/fixtures'

const items = loadDataset(SHAPES).items.slice(0, 70)
const vit = inspectModel(path.join(MODELS, 'vit-tiny'))
const spec: PrepSpec = { kind: 'image', input: vit.imageInput!, image: vit.image! }

describe('BatchPrefetch', () => {
  it('hands out the batches to do in order, each with its items, keeping PREFETCH more requested and no more', async () => {
    const preparer = openPreparer(spec, items, false)
    const reference = openPreparer(spec, items, false)
    // Batches of 8 over 70 items: 9, the last of 6; 1 was done before.
    const todo = [0, 2, 3, 4, 5, 6, 7, 8]
    const prefetch = new BatchPrefetch(preparer, todo, 8, items.length, new ExtractTiming())
    // Inline, nothing is requested before the session exists (a request is the preparation itself).
    prefetch.start()
    expect(preparer.counts.here).toBe(0)
    const got: { b: number; start: number; count: number }[] = []
    for (let k = 0; k < todo.length; k++) {
      const cur = prefetch.take()!
      expect(preparer.counts.here).toBe(Math.min(todo.length, k + 1 + PREFETCH))
      got.push({ b: cur.b, start: cur.start, count: cur.count })
      const feeds = await cur.feeds
      const want = await reference.prepare(cur.start, cur.start + cur.count)
      expect(feeds.map((f) => f.rows)).toEqual(want.map((f) => f.rows))
      expect(Array.from(feeds[0]!.tensors[vit.imageInput!]!.data as Float32Array)).toEqual(Array.from(want[0]!.tensors[vit.imageInput!]!.data as Float32Array))
    }
    expect(got).toEqual(todo.map((b) => ({ b, start: b * 8, count: b === 8 ? 6 : 8 })))
    expect(prefetch.take()).toBeNull()
  })

  it('requests nothing more once cancelled, hands out what was requested, then none', () => {
    const preparer = openPreparer(spec, items, false)
    const ctl = new AbortController()
    const todo = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    const prefetch = new BatchPrefetch(preparer, todo, 8, items.length, new ExtractTiming(), ctl.signal)
    expect(prefetch.take()!.b).toBe(0)
    ctl.abort()
    const rest: number[] = []
    for (let cur = prefetch.take(); cur; cur = prefetch.take()) rest.push(cur.b)
    expect(rest).toEqual([1, 2, 3, 4])
    expect(preparer.counts.here).toBe(1 + PREFETCH)
  })
})
