import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDataset } from '../../../src-main/core/data/dataset'
import { loadTextEncoder } from '../../../src-main/core/data/text'
import { imageFeeds, textFeeds } from '../../../src-main/core/features/inputs'
import { poolLayerInto, type Pool } from '../../../src-main/core/features/pool'
import { poolingFeeds } from '../../../src-main/core/onnx/graphPooling'
import { inspectModel, type ModelInfo } from '../../../src-main/core/onnx/modelInfo'
import { openModelSession } from '../../../src-main/core/onnx/tappedSession'
import { MODELS, SHAPES } from '../../helpers/fixtures'

let tmp: string
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-gpool-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const POOLS: Pool[] = ['cls', 'mean', 'last']

/** Largest |a - b| / max(|b|, 1e-3 * rms(b)) over all elements: relative error with a floor near zero. */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let ss = 0
  for (const x of b) ss += x * x
  const floor = 1e-3 * Math.sqrt(ss / b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor))
  return m
}

/** Pooled in JavaScript (the reference, float64 accumulation) from the raw layers of a session without pooling nodes. */
async function jsPooled(info: ModelInfo, feeds: Record<string, ort.Tensor>, layers: string[], mask: Parameters<typeof poolLayerInto>[2], pool: Pool, rows: number): Promise<Float32Array[]> {
  const ms = await openModelSession(info, layers, 'cpu', tmp)
  expect(ms.pooling).toBeNull()
  const res = await ms.session.run(feeds, layers)
  const out = layers.map((name) => {
    const t = res[name]!
    const D = t.dims[t.dims.length - 1]!
    const o = new Float32Array(rows * D)
    poolLayerInto(t.data as Float32Array, t.dims, mask, pool, o, 0, 1)
    return o
  })
  await ms.close()
  return out
}

describe('pooling inside the graph copy', () => {
  it('gpt-tiny: declared and tapped layers, every pool, left and right padding, equal JavaScript pooling within 1e-5', async () => {
    const info = inspectModel(path.join(MODELS, 'gpt-tiny'))
    const items = loadDataset(SHAPES).items.slice(0, 7)
    items[3] = { ...items[3]!, caption: 'a circle' }
    const layers = ['hidden_states.1', '/h.0/Add_output_0', 'hidden_states.4', 'logits']
    for (const side of ['right', 'left'] as const) {
      const enc = loadTextEncoder(info.tokenizer!.json, info.tokenizer!.config, 64)
      enc.prep.paddingSide = side
      const [feed] = textFeeds(info, enc, items)
      const T = feed!.feeds.input_ids!.dims[1]!
      // The batch is padded: some rows have fewer real tokens than others.
      expect(Math.min(...feed!.mask!.lengths)).toBeLessThan(T)
      for (const pool of POOLS) {
        const ms = await openModelSession(info, layers, 'cpu', tmp, {}, { pool, masked: true })
        expect(ms.pooling).not.toBeNull()
        expect(ms.poolingNote).toBeNull()
        const extra = poolingFeeds(ms.pooling!, feed!.mask!.lengths, side, T, pool)
        const feeds = { ...feed!.feeds }
        for (const [k, v] of Object.entries(extra)) feeds[k] = new ort.Tensor(v.type, v.data, v.dims)
        const got = await ms.session.run(feeds, [...ms.pooling!.pooled, ...ms.pooling!.shapes])
        const want = await jsPooled(info, feed!.feeds, layers, feed!.mask, pool, items.length)
        layers.forEach((_, l) => {
          const t = got[ms.pooling!.pooled[l]!]!
          // Only [B, D] leaves the session; its shape output still reports the layer's [B, T, D].
          expect(t.dims).toEqual([items.length, want[l]!.length / items.length])
          expect(Array.from(got[ms.pooling!.shapes[l]!]!.data as BigInt64Array).map(Number)).toEqual([items.length, T, t.dims[1]])
          expect(maxRelDiff(t.data as Float32Array, want[l]!)).toBeLessThan(1e-5)
        })
        await ms.close()
      }
    }
  })

  it('vit-tiny: every pool over all tokens equals JavaScript pooling; a [B, D] output passes through unchanged', async () => {
    const info = inspectModel(path.join(MODELS, 'vit-tiny'))
    const items = loadDataset(SHAPES).items.slice(0, 5)
    const [feed] = imageFeeds(info, items)
    for (const pool of POOLS) {
      const layers = ['hidden_states.0', 'hidden_states.3', 'logits']
      const ms = await openModelSession(info, layers, 'cpu', tmp, {}, { pool, masked: false })
      expect(ms.pooling!.maskInput).toBeNull()
      expect(ms.pooling!.indexInput).toBeNull()
      const got = await ms.session.run(feed!.feeds, ms.pooling!.pooled)
      const want = await jsPooled(info, feed!.feeds, layers, null, pool, items.length)
      layers.forEach((_, l) => expect(maxRelDiff(got[ms.pooling!.pooled[l]!]!.data as Float32Array, want[l]!)).toBeLessThan(1e-5))
      // logits are [B, classes]: the same numbers, bit for bit.
      expect(Array.from(got[ms.pooling!.pooled[2]!]!.data as Float32Array)).toEqual(Array.from(want[2]!))
      await ms.close()
    }
  })
})
