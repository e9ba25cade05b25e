import * as ort from 'onnxruntime-node'
import { badInput } from '../../common/errors'
import { UNBATCHED_INPUTS } from '../onnx/decoderInputs'
import { poolingFeeds } from '../onnx/graphPooling'
import type { ModelSession } from '../onnx/tappedSession'
import type { BatchHalved } from '../../common/contract/features'
import type { Feed } from './inputs'
import type { Pool } from './pool'

/** onnxruntime's words for a failed allocation (CPU arena, CUDA, std::bad_alloc). */
export function isOutOfMemory(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e)
  return /Failed to allocate|bad_alloc|out of memory|CUDNN_STATUS_ALLOC_FAILED|CUBLAS_STATUS_ALLOC_FAILED/i.test(msg)
}

/** Rows `from..to` of a feed: every input sliced on its batch axis (a decoder's switches and cache positions have none), the mask's lengths with them. */
export function sliceFeed(f: Feed, from: number, to: number): Feed {
  const B = f.rows.length
  const feeds: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(f.feeds)) {
    if (UNBATCHED_INPUTS.has(name)) {
      feeds[name] = t
      continue
    }
    if (t.dims[0] !== B) throw new RangeError(`sliceFeed: input ${name} has ${t.dims[0]} rows, the feed ${B}`)
    const per = t.size / B
    const data = (t.data as Float32Array | BigInt64Array).slice(from * per, to * per)
    feeds[name] = new ort.Tensor(t.type as 'float32', data as Float32Array, [to - from, ...t.dims.slice(1)])
  }
  return { feeds, mask: f.mask ? { lengths: f.mask.lengths.slice(from, to), paddingSide: f.mask.paddingSide } : null, rows: f.rows.slice(from, to) }
}

/**
 * Runs feeds through a model session, with the pooling inputs a pooled graph needs, and on an
 * allocation failure runs the same rows in halves (and every later feed in runs of that size) instead
 * of failing. Only how many rows go through one session.run changes: stored batches keep their
 * boundaries, and each row's features depend on the rows run with it only through padding, which
 * pooling ignores.
 */
export class BatchRunner {
  /** Most rows per session.run (no limit until memory runs out). */
  maxRows = Infinity
  halved: BatchHalved | null = null

  constructor(
    private readonly ms: ModelSession,
    private readonly fetch: string[],
    private readonly pool: Pool,
    private readonly modelFile: string,
    private readonly onHalved: (h: BatchHalved) => void = () => {},
  ) {}

  /** Runs `f` (in parts if needed); `consume` gets each part, its outputs and the seconds its run took. */
  async run(f: Feed, consume: (part: Feed, res: ort.InferenceSession.ReturnType, runSeconds: number) => void): Promise<void> {
    const n = f.rows.length
    if (n > this.maxRows) {
      for (let a = 0; a < n; a += this.maxRows) await this.run(sliceFeed(f, a, Math.min(n, a + this.maxRows)), consume)
      return
    }
    // A copy cut down to the wanted layers may not read every input the preparation made (e.g. a mask).
    const accepted = new Set(this.ms.session.inputNames)
    const feeds: Record<string, ort.Tensor> = {}
    for (const [k, v] of Object.entries(f.feeds)) if (accepted.has(k)) feeds[k] = v
    const g = this.ms.pooling
    if (g && f.mask) {
      const tokens = f.feeds.input_ids?.dims[1] ?? f.feeds.attention_mask?.dims[1]
      if (tokens === undefined) throw badInput(this.modelFile, 'padded text without input_ids or attention_mask')
      for (const [k, v] of Object.entries(poolingFeeds(g, f.mask.lengths, f.mask.paddingSide, tokens, this.pool))) feeds[k] = new ort.Tensor(v.type, v.data, v.dims)
    }
    const t0 = performance.now()
    let res: ort.InferenceSession.ReturnType
    try {
      res = await this.ms.session.run(feeds, this.fetch)
    } catch (e) {
      const reason = e instanceof Error ? e.message.split('\n')[0]! : String(e)
      if (!isOutOfMemory(e)) throw badInput(this.modelFile, `onnxruntime could not run the model on items ${f.rows[0]}..${f.rows[f.rows.length - 1]} of the batch: ${reason}`)
      if (n === 1) throw badInput(this.modelFile, `onnxruntime ran out of memory running a single item (${reason}); use a smaller model, fewer layers or another execution provider`)
      const half = Math.ceil(n / 2)
      this.maxRows = half
      this.halved = { from: this.halved?.from ?? n, to: half, reason }
      this.onHalved(this.halved)
      await this.run(f, consume)
      return
    }
    consume(f, res, (performance.now() - t0) / 1000)
  }
}
