import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadDataset } from '../../../src-main/core/data/dataset'
import type { PlainFeed, PrepSpec } from '../../../src-main/core/features/prepare'
import { preparationPlan } from '../../../src-main/core/features/preparation'
import { launchPreparer, nextPreparerState, openPreparer, type PreparerEvent, type PreparerState } from '../../../src-main/core/features/preparer'
import { ArrayStore } from '../../../src-main/core/store/arrays'
import crypto from 'node:crypto'
import { inspectModel, type ModelInfo } from '../../../src-main/core/onnx/modelInfo'
import { MODELS, SHAPES } from '../../helpers/fixtures'

const items = loadDataset(SHAPES).items.slice(0, 70)
const vit = inspectModel(path.join(MODELS, 'vit-tiny'))
const gpt = inspectModel(path.join(MODELS, 'gpt-tiny'))
const imageSpec: PrepSpec = { kind: 'image', input: vit.imageInput!, image: vit.image! }
const textSpec: PrepSpec = { kind: 'text', tokenizerJson: gpt.tokenizer!.json, tokenizerConfig: gpt.tokenizer!.config, positionLimit: gpt.positionLimit ?? null, inputNames: gpt.inputs.map((i) => i.name) }

/** Every tensor, mask and row index of a prepared batch as plain arrays, for exact comparison. */
function plain(feeds: PlainFeed[]): unknown {
  return feeds.map((f) => ({
    rows: f.rows,
    mask: f.mask ? { lengths: Array.from(f.mask.lengths), side: f.mask.paddingSide } : null,
    tensors: Object.fromEntries(Object.entries(f.tensors).map(([k, t]) => [k, { type: t.type, dims: t.dims, data: Array.from(t.data as ArrayLike<number | bigint>, String) }])),
  }))
}

describe('openPreparer', () => {
  it.each([
    ['images', imageSpec],
    ['captions', textSpec],
  ])('%s prepared in the worker thread are identical to inline preparation, batch by batch', async (_, spec) => {
    const w = openPreparer(spec, items, true)
    const inl = openPreparer(spec, items, false)
    try {
      await w.ready
      expect(w.mode).toBe('worker')
      expect(w.note).toBeNull()
      expect(inl.mode).toBe('inline')
      // Several requests in flight at once come back in the right order, each for its own slice.
      const ranges: [number, number][] = [
        [0, 32],
        [32, 64],
        [64, 70],
      ]
      const got = await Promise.all(ranges.map(([a, b]) => w.prepare(a, b)))
      for (let i = 0; i < ranges.length; i++) expect(plain(got[i]!)).toEqual(plain(await inl.prepare(...ranges[i]!)))
    } finally {
      await w.close()
      await inl.close()
    }
  })

  it('queues batches for a starting worker; one needed before the worker takes it is prepared here, once, identically', async () => {
    const w = openPreparer(imageSpec, items, true)
    const inl = openPreparer(imageSpec, items, false)
    try {
      // From source the worker takes a while to start: both requests queue for it meanwhile.
      expect(w.mode).toBe('starting')
      const queued = w.prepare(0, 32)
      const needed = w.need(w.prepare(32, 64))
      const now = await needed
      // The needed batch did not wait for the worker: it was claimed and prepared on this thread.
      expect(w.counts).toEqual({ worker: 0, here: 1 })
      const early = await queued
      await w.ready
      expect(w.mode).toBe('worker')
      // The worker prepared the first, skipped the claimed one, and serves later requests.
      const late = await w.prepare(64, 70)
      expect(w.counts).toEqual({ worker: 2, here: 1 })
      expect(plain(early)).toEqual(plain(await inl.prepare(0, 32)))
      expect(plain(now)).toEqual(plain(await inl.prepare(32, 64)))
      expect(plain(late)).toEqual(plain(await inl.prepare(64, 70)))
      // A claimed batch gets no second answer: nothing is left waiting.
      await new Promise((r) => setTimeout(r, 50))
      expect(w.counts).toEqual({ worker: 2, here: 1 })
    } finally {
      await w.close()
      await inl.close()
    }
  })

  it('a worker launched before the item list gets it at begin; a cancelled launch stops its thread', async () => {
    const launch = launchPreparer(imageSpec, null)
    const p = launch.begin(items, null, null)
    const inl = openPreparer(imageSpec, items, false)
    try {
      await p.ready
      expect(p.mode).toBe('worker')
      const first = p.prepare(3, 9)
      expect(plain(await first)).toEqual(plain(await inl.prepare(3, 9)))
      // Needed after the worker has answered: the answer is used, nothing is prepared again.
      expect(plain(await p.need(first))).toEqual(plain(await inl.prepare(3, 9)))
      expect(p.counts).toEqual({ worker: 1, here: 0 })
    } finally {
      await p.close()
    }
    const unused = launchPreparer(imageSpec, null)
    const exited = new Promise<number>((resolve) => unused.thread!.once('exit', resolve))
    unused.cancel()
    expect(typeof (await exited)).toBe('number')
  })

  it('an unreadable image fails with the same coded error from the worker as inline, and the worker keeps serving', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-prep-'))
    try {
      const bad = path.join(tmp, 'broken.png')
      fs.writeFileSync(bad, 'not an image at all')
      const list = [items[0]!, { id: 'x', image: bad }, items[1]!]
      const w = openPreparer(imageSpec, list, true)
      const inl = openPreparer(imageSpec, list, false)
      try {
        await w.ready
        const inlineError = await inl.prepare(0, 3).catch((e: unknown) => e)
        const workerError = await w.prepare(0, 3).catch((e: unknown) => e)
        expect(inlineError).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('broken.png') })
        expect(workerError).toMatchObject({ code: 'BAD_INPUT', message: (inlineError as Error).message })
        expect(plain(await w.prepare(2, 3))).toEqual(plain(await inl.prepare(2, 3)))
        expect(w.mode).toBe('worker')
      } finally {
        await w.close()
        await inl.close()
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('when the worker dies, its unanswered requests and all later ones are prepared inline, with the reason noted', async () => {
    const w = openPreparer(imageSpec, items, true)
    const inl = openPreparer(imageSpec, items, false)
    try {
      await w.ready
      const inFlight = w.prepare(0, 32)
      await w.thread!.terminate()
      expect(plain(await inFlight)).toEqual(plain(await inl.prepare(0, 32)))
      expect(w.mode).toBe('inline')
      expect(w.note).toMatch(/preparation worker exited/)
      expect(plain(await w.prepare(32, 40))).toEqual(plain(await inl.prepare(32, 40)))
    } finally {
      await w.close()
      await inl.close()
    }
  })

  it('stores array files from the worker exactly as the store itself would, and inline once the worker is gone', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-prep-store-'))
    try {
      const arrays = new ArrayStore(path.join(tmp, 'arrays'))
      const w = openPreparer(imageSpec, items, true, arrays)
      try {
        await w.ready
        const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251)
        const stored = await w.store(bytes)
        expect(stored).toEqual({ sha256: crypto.createHash('sha256').update(bytes).digest('hex'), bytes: 1000 })
        expect(Buffer.compare(arrays.get(stored.sha256), Buffer.from(bytes))).toBe(0)
        // The caller's buffer is untouched (copied, not transferred).
        expect(bytes[999]).toBe((999 * 7) % 251)
        // Bytes over shared memory (as extraction hands over its pooled batches) are shared, not copied,
        // and stored the same; the caller still holds them, to store inline if the worker died meanwhile.
        const shared = new Uint8Array(new SharedArrayBuffer(4096))
        for (let i = 0; i < shared.length; i++) shared[i] = (i * 13 + 5) % 256
        const copy = Uint8Array.from(shared)
        const viaShared = await w.store(shared)
        expect(viaShared).toEqual({ sha256: crypto.createHash('sha256').update(copy).digest('hex'), bytes: 4096 })
        expect(Buffer.compare(arrays.get(viaShared.sha256), Buffer.from(copy))).toBe(0)
        expect(shared.byteLength).toBe(4096)
        await w.thread!.terminate()
        const more = Uint8Array.from({ length: 64 }, (_, i) => i)
        const again = await w.store(more)
        expect(w.mode).toBe('inline')
        expect(Buffer.compare(arrays.get(again.sha256), Buffer.from(more))).toBe(0)
        expect(fs.readdirSync(path.join(tmp, 'arrays'), { recursive: true }).some((f) => String(f).endsWith('.tmp'))).toBe(false)
      } finally {
        await w.close()
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('a tokenizer that cannot be loaded fails at once, as it would inline (BAD_INPUT naming the file), not as a worker crash', async () => {
    const spec: PrepSpec = { ...textSpec, tokenizerJson: path.join(os.tmpdir(), 'no-such-dir', 'tokenizer.json') } as PrepSpec
    let error: unknown = null
    try {
      openPreparer(spec, items, true)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('no-such-dir') })
  })
})

describe('the preparer state machine', () => {
  it('moves a worker from starting to serving to inline when it dies, and anything to closed; a second ready while serving is an error', () => {
    const walk = (events: PreparerEvent[]): PreparerState[] => {
      const seen: PreparerState[] = []
      let s: PreparerState = 'starting'
      for (const e of events) seen.push((s = nextPreparerState(s, e)))
      return seen
    }
    expect(walk(['ready', 'died', 'died', 'ready', 'close', 'died', 'close'])).toEqual(['worker', 'inline', 'inline', 'inline', 'closed', 'closed', 'closed'])
    expect(walk(['died', 'close'])).toEqual(['inline', 'closed'])
    expect(walk(['close', 'ready'])).toEqual(['closed', 'closed'])
    expect(() => walk(['ready', 'ready'])).toThrow(expect.objectContaining({ code: 'INTERNAL', message: expect.stringContaining('no transition from worker on ready') }))
  })

  it.each([
    ['with a worker', true],
    ['inline', false],
  ])('a closed preparer (%s) reports closed, refuses later requests with CANCELLED, and closes twice harmlessly', async (_, worker) => {
    const p = openPreparer(imageSpec, items, worker)
    await p.ready
    expect(p.mode).toBe(worker ? 'worker' : 'inline')
    // Closing rejects a request the worker has not answered at once (before any answer can arrive).
    const unanswered = worker ? p.prepare(0, 32).catch((e: unknown) => e) : null
    await p.close()
    expect(p.mode).toBe('closed')
    if (unanswered) expect(await unanswered).toMatchObject({ code: 'CANCELLED' })
    await expect(p.prepare(0, 8)).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(p.store(new Uint8Array(4))).rejects.toMatchObject({ code: 'CANCELLED' })
    await p.close()
    expect(p.mode).toBe('closed')
  })
})

describe('preparationPlan', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-plan-'))
  const small = path.join(tmp, 'small.onnx')
  const large = path.join(tmp, 'large.onnx')
  fs.writeFileSync(small, 'x')
  // A sparse 100 MB file: its size is what counts, it takes no disk space.
  fs.closeSync(fs.openSync(large, 'w'))
  fs.truncateSync(large, 100 * 2 ** 20)
  const model = (modality: 'vision' | 'text', file: string): ModelInfo => ({ modality, weightFiles: [file] }) as unknown as ModelInfo
  const saved = process.env.PLATONIC_LAB_PREP_WORKER

  it('gives a small model the worker and one core fewer, a large one the worker and every core, and short jobs none', () => {
    delete process.env.PLATONIC_LAB_PREP_WORKER
    try {
      expect(preparationPlan(model('vision', small), 2, 64)).toEqual({ worker: true, threads: 1 })
      expect(preparationPlan(model('text', small), 2, 64)).toEqual({ worker: true, threads: 1 })
      expect(preparationPlan(model('text', large), 2, 64)).toEqual({ worker: true, threads: null })
      expect(preparationPlan(model('text', small), 8, 64)).toEqual({ worker: true, threads: 7 })
      expect(preparationPlan(model('vision', large), 8, 64)).toEqual({ worker: true, threads: null })
      expect(preparationPlan(model('vision', small), 8, 7)).toEqual({ worker: false, threads: null })
      expect(preparationPlan(model('vision', small), 1, 64)).toEqual({ worker: false, threads: null })
      expect(preparationPlan(model('text', small), 2, 3, true)).toEqual({ worker: true, threads: 1 })
      expect(preparationPlan(model('vision', small), 2, 64, false)).toEqual({ worker: false, threads: null })
      process.env.PLATONIC_LAB_PREP_WORKER = '0'
      expect(preparationPlan(model('vision', small), 8, 64).worker).toBe(false)
      process.env.PLATONIC_LAB_PREP_WORKER = '1'
      expect(preparationPlan(model('text', small), 2, 3)).toEqual({ worker: true, threads: 1 })
    } finally {
      if (saved === undefined) delete process.env.PLATONIC_LAB_PREP_WORKER
      else process.env.PLATONIC_LAB_PREP_WORKER = saved
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
})
