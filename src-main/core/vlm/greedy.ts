import * as ort from 'onnxruntime-node'
import { badInput } from '../../common/errors'
import { cacheDims } from '../onnx/decoderInputs'
import { createSession, type CreatedSession, type EpAttempt, type EpChoice } from '../onnx/ep'
import type { VlmLayout } from './vlmLayout'

/** One prompt to answer: its token ids and, unless blind, its preprocessed image `[3, H, W]`. */
export interface GenerationRequest {
  ids: number[]
  pixels: Float32Array | null
  /** [height, width] of `pixels`. */
  size: [number, number] | null
}

export interface GenerationTiming {
  session_run_s: number
  runs: number
}

type FloatArray = Float32Array | Uint16Array

/** IEEE binary16 bits to a number (argmax over fp16 logits). */
function halfToNumber(x: number): number {
  const s = x & 0x8000 ? -1 : 1
  const e = (x >> 10) & 0x1f
  const f = x & 0x3ff
  return e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15)
}

/** Raw element storage of a float32 or float16 tensor (fp16 as its bit patterns). */
function floatData(t: ort.Tensor, what: string): FloatArray {
  if (t.type === 'float32') return t.data as Float32Array
  if (t.type === 'float16') {
    const d = t.data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number }
    return new Uint16Array(d.buffer, d.byteOffset, d.length)
  }
  throw new Error(`${what} is ${t.type}; expected float32 or float16`)
}

/**
 * Greedy decoding of a LLaVA-style export with its KV cache: the prompt's token embeddings, with the image
 * features in place of the image token(s), run once through the merged decoder (empty past), then one
 * token at a time with the returned present.* as the next past. A batch is left-padded: padding
 * positions are masked out and position ids count real tokens only (cumsum(mask) - 1), so a row's tokens
 * do not depend on what else is in the batch. Stops at an end-of-sequence token or after `maxNew`.
 */
export class GreedyVlm {
  private constructor(
    private readonly layout: VlmLayout,
    private readonly vision: CreatedSession,
    private readonly embed: CreatedSession,
    private readonly decoder: CreatedSession,
    private readonly past: { name: string; present: string; kvHeads: number; headDim: number }[],
    private readonly floatType: 'float32' | 'float16',
    private readonly hidden: number,
    private readonly hasUseCacheBranch: boolean,
    private readonly hasPositionIds: boolean,
  ) {}

  readonly timing: GenerationTiming = { session_run_s: 0, runs: 0 }

  get ep(): string {
    return this.decoder.ep
  }

  get skipped(): EpAttempt[] {
    return this.decoder.skipped
  }

  static async open(layout: VlmLayout, ep: EpChoice, options: ort.InferenceSession.SessionOptions = {}): Promise<GreedyVlm> {
    const decoder = await openPart(layout.files.decoder_model_merged, ep, options)
    // The other parts run on the provider the decoder got, so the three agree.
    const vision = await openPart(layout.files.vision_encoder, decoder.ep as EpChoice, options)
    const embed = await openPart(layout.files.embed_tokens, decoder.ep as EpChoice, options)
    const meta = new Map(decoder.session.inputMetadata.map((m) => [m.name, m]))
    const dfile = layout.files.decoder_model_merged
    const need = (name: string): ort.InferenceSession.TensorValueMetadata => {
      const m = meta.get(name)
      if (!m || !m.isTensor) throw badInput(dfile, `the decoder has no ${name} input (inputs: ${[...meta.keys()].join(', ')}); expected a merged decoder taking inputs_embeds`)
      return m
    }
    const emb = need('inputs_embeds')
    need('attention_mask')
    if (emb.type !== 'float32' && emb.type !== 'float16') throw badInput(dfile, `inputs_embeds is ${emb.type}; float32 and float16 decoders are supported`)
    const textConfig = (layout.config.text_config ?? {}) as Record<string, unknown>
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null)
    const hidden = num(emb.shape[2]) ?? num(textConfig.hidden_size)
    if (!hidden) throw badInput(dfile, 'cannot tell the hidden width (inputs_embeds has no fixed last dimension and config.json text_config.hidden_size is missing)')
    // The same config rules as feature extraction's cache feeding (kv heads, multi-query, head_dim).
    const { kvHeads: kvHeadsCfg, headDim: headDimCfg } = cacheDims({ hidden_size: hidden, ...textConfig })
    const past: { name: string; present: string; kvHeads: number; headDim: number }[] = []
    for (const [name, m] of meta) {
      const mm = /^past_key_values\.(\d+)\.(key|value)$/.exec(name)
      if (!mm || !m.isTensor) continue
      const kvHeads = num(m.shape[1]) ?? kvHeadsCfg
      const headDim = num(m.shape[3]) ?? headDimCfg
      if (!kvHeads || !headDim || !Number.isInteger(headDim)) throw badInput(dfile, `cannot tell the shape of ${name} (graph: [${m.shape.join(', ')}]; config.json text_config has no num_key_value_heads/head_dim)`)
      const present = `present.${mm[1]}.${mm[2]}`
      if (!decoder.session.outputNames.includes(present)) throw badInput(dfile, `the decoder takes ${name} but has no ${present} output`)
      past.push({ name, present, kvHeads, headDim })
    }
    if (past.length === 0) throw badInput(dfile, 'the decoder has no past_key_values.* inputs; export it with past (merged decoder) for generation')
    if (!decoder.session.outputNames.includes('logits')) throw badInput(dfile, 'the decoder has no logits output')
    return new GreedyVlm(layout, vision, embed, decoder, past, emb.type, hidden, meta.has('use_cache_branch'), meta.has('position_ids'))
  }

  private async run(s: CreatedSession, feeds: Record<string, ort.Tensor>, file: string): Promise<ort.InferenceSession.ReturnType> {
    const t = performance.now()
    try {
      return await s.session.run(feeds)
    } catch (e) {
      throw badInput(file, `ONNX Runtime failed to run: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
    } finally {
      this.timing.session_run_s += (performance.now() - t) / 1000
      this.timing.runs++
    }
  }

  /** inputs_embeds of `ids` `[B, T]` (int64) as raw float storage `[B, T, hidden]`. */
  private async embedIds(ids: BigInt64Array, batch: number, seq: number): Promise<FloatArray> {
    const out = await this.run(this.embed, { [this.embed.session.inputNames[0]!]: new ort.Tensor('int64', ids, [batch, seq]) }, this.layout.files.embed_tokens)
    const t = out[this.embed.session.outputNames[0]!]!
    if (t.type !== this.floatType) throw badInput(this.layout.files.embed_tokens, `returns ${t.type} embeddings but the decoder takes ${this.floatType}; use the same precision variant for both`)
    return floatData(t, 'inputs_embeds')
  }

  /** Image features `[n_images, n_tokens, hidden]` of the batch's images (all of one size). */
  private async imageFeatures(reqs: GenerationRequest[]): Promise<{ data: FloatArray; tokens: number } | null> {
    const withImage = reqs.filter((r) => r.pixels)
    if (withImage.length === 0) return null
    const [h, w] = withImage[0]!.size!
    if (withImage.some((r) => r.size![0] !== h || r.size![1] !== w)) throw new Error('images of one batch must share a size')
    const px = new Float32Array(withImage.length * 3 * h * w)
    withImage.forEach((r, i) => px.set(r.pixels!, i * 3 * h * w))
    const input = this.vision.session.inputNames.includes('pixel_values') ? 'pixel_values' : this.vision.session.inputNames[0]!
    const meta = this.vision.session.inputMetadata.find((m) => m.name === input)
    const tensor = meta?.isTensor && meta.type === 'float16' ? toHalfTensor(px, [withImage.length, 3, h, w]) : new ort.Tensor('float32', px, [withImage.length, 3, h, w])
    const out = await this.run(this.vision, { [input]: tensor }, this.layout.files.vision_encoder)
    const t = out[this.vision.session.outputNames[0]!]!
    const dims = t.dims
    if (dims.length !== 3 || dims[0] !== withImage.length || dims[2] !== this.hidden) {
      throw badInput(this.layout.files.vision_encoder, `returns image features of shape [${dims.join(', ')}]; expected [${withImage.length}, tokens, ${this.hidden}] (projector included)`)
    }
    if (t.type !== this.floatType) throw badInput(this.layout.files.vision_encoder, `returns ${t.type} features but the decoder takes ${this.floatType}`)
    if (this.layout.imageSeqLength !== null && dims[1] !== this.layout.imageSeqLength) {
      throw badInput(this.layout.files.vision_encoder, `returns ${dims[1]} image tokens but config.json says image_seq_length ${this.layout.imageSeqLength}`)
    }
    return { data: floatData(t, 'image features'), tokens: dims[1]! }
  }

  /**
   * Generates greedily for every request at once and returns each row's new token ids (an end token, if
   * reached, included). `onStep` sees each decoding step (for progress); `signal` cancels between steps.
   */
  async generate(reqs: GenerationRequest[], maxNew: number, signal?: AbortSignal): Promise<number[][]> {
    const B = reqs.length
    const H = this.hidden
    const img = await this.imageFeatures(reqs)
    // Each row's embedding sequence: token embeddings with the image features spliced in at the image
    // token (one placeholder expanded, or one placeholder per feature as newer processors write them).
    const rows: { ids: number[]; imageAt: number; imageLen: number; len: number; imageRow: number }[] = []
    let imageRow = 0
    for (const r of reqs) {
      const at = r.ids.flatMap((t, i) => (t === this.layout.imageTokenId ? [i] : []))
      if (!r.pixels) {
        if (at.length) throw badInput(this.layout.dir, 'the prompt has an image token but no image was given')
        rows.push({ ids: r.ids, imageAt: -1, imageLen: 0, len: r.ids.length, imageRow: -1 })
        continue
      }
      const n = img!.tokens
      if (at.length === 1) rows.push({ ids: r.ids, imageAt: at[0]!, imageLen: 1, len: r.ids.length - 1 + n, imageRow })
      else if (at.length === n && at.every((p, i) => p === at[0]! + i)) rows.push({ ids: r.ids, imageAt: at[0]!, imageLen: n, len: r.ids.length, imageRow })
      else throw badInput(this.layout.dir, `the prompt has ${at.length} image tokens; expected 1 or ${n} in a row (one image per question)`)
      imageRow++
    }
    const T = Math.max(...rows.map((r) => r.len))
    const Tids = Math.max(...rows.map((r) => r.ids.length))
    const idBuf = new BigInt64Array(B * Tids).fill(BigInt(this.layout.padTokenId))
    rows.forEach((r, b) => r.ids.forEach((t, i) => (idBuf[b * Tids + i] = BigInt(t))))
    const tokEmb = await this.embedIds(idBuf, B, Tids)
    const Ctor = this.floatType === 'float32' ? Float32Array : Uint16Array
    const embeds = new Ctor(B * T * H)
    const mask = new BigInt64Array(B * T)
    const pos = new BigInt64Array(B * T)
    rows.forEach((r, b) => {
      const pad = T - r.len
      let p = b * T + pad
      const copyTokens = (from: number, to: number): void => {
        for (let i = from; i < to; i++, p++) embeds.set(tokEmb.subarray((b * Tids + i) * H, (b * Tids + i + 1) * H), p * H)
      }
      if (r.imageAt < 0) copyTokens(0, r.ids.length)
      else {
        copyTokens(0, r.imageAt)
        embeds.set(img!.data.subarray(r.imageRow * img!.tokens * H, (r.imageRow + 1) * img!.tokens * H), p * H)
        p += img!.tokens
        copyTokens(r.imageAt + r.imageLen, r.ids.length)
      }
      for (let t = 0; t < r.len; t++) {
        mask[b * T + pad + t] = 1n
        pos[b * T + pad + t] = BigInt(t)
      }
    })
    const out: number[][] = reqs.map(() => [])
    const done = new Array<boolean>(B).fill(false)
    const lengths = rows.map((r) => r.len)
    let past: Record<string, ort.Tensor> = {}
    for (const p of this.past) past[p.name] = new ort.Tensor(this.floatType, new Ctor(0), [B, p.kvHeads, 0, p.headDim])
    let inputs = new ort.Tensor(this.floatType, embeds, [B, T, H])
    let attn = mask
    let total = T
    let positions = new ort.Tensor('int64', pos, [B, T])
    let step = 0
    for (;;) {
      if (signal?.aborted) throw new DOMException('cancelled', 'AbortError')
      const feeds: Record<string, ort.Tensor> = { inputs_embeds: inputs, attention_mask: new ort.Tensor('int64', attn, [B, total]), ...past }
      if (this.hasPositionIds) feeds.position_ids = positions
      if (this.hasUseCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', [step > 0], [1])
      const res = await this.run(this.decoder, feeds, this.layout.files.decoder_model_merged)
      const logits = res.logits!
      const [lb, lt, V] = logits.dims as [number, number, number]
      if (lb !== B) throw badInput(this.layout.files.decoder_model_merged, `logits have batch ${lb}, expected ${B}`)
      const ld = floatData(logits, 'logits')
      const half = logits.type === 'float16'
      const next = new BigInt64Array(B)
      for (let b = 0; b < B; b++) {
        const base = (b * lt + lt - 1) * V
        let best = 0
        let bestV = -Infinity
        for (let v = 0; v < V; v++) {
          const x = half ? halfToNumber(ld[base + v]!) : ld[base + v]!
          if (x > bestV) [best, bestV] = [v, x]
        }
        if (!done[b]) {
          out[b]!.push(best)
          if (this.layout.eosTokenIds.includes(best) || out[b]!.length >= maxNew) done[b] = true
        }
        next[b] = BigInt(done[b] ? this.layout.padTokenId : best)
      }
      const presentPast: Record<string, ort.Tensor> = {}
      for (const p of this.past) presentPast[p.name] = res[p.present]!
      for (const [name, t] of Object.entries(res)) if (name === 'logits' || !this.past.some((p) => p.present === name)) t.dispose?.()
      for (const t of Object.values(past)) t.dispose?.()
      past = presentPast
      if (done.every(Boolean)) break
      step++
      // The next step: one new token per row; its mask and position follow the row's real length.
      const nextEmb = await this.embedIds(next, B, 1)
      inputs = new ort.Tensor(this.floatType, nextEmb.slice(), [B, 1, H])
      const grown = new BigInt64Array(B * (total + 1))
      const np = new BigInt64Array(B)
      for (let b = 0; b < B; b++) {
        grown.set(attn.subarray(b * total, (b + 1) * total), b * (total + 1))
        grown[b * (total + 1) + total] = 1n
        np[b] = BigInt(lengths[b]!)
        lengths[b]!++
      }
      attn = grown
      total++
      positions = new ort.Tensor('int64', np, [B, 1])
    }
    for (const t of Object.values(past)) t.dispose?.()
    return out
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.vision.session.release(), this.embed.session.release(), this.decoder.session.release()])
  }
}

async function openPart(file: string, ep: EpChoice, options: ort.InferenceSession.SessionOptions): Promise<CreatedSession> {
  try {
    return await createSession(file, ep, options)
  } catch (e) {
    throw badInput(file, `cannot create an ONNX Runtime session: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** float32 values to a float16 tensor (round to nearest even), for fp16 vision encoders. */
function toHalfTensor(x: Float32Array, dims: number[]): ort.Tensor {
  const f = new Float32Array(1)
  const u = new Uint32Array(f.buffer)
  const out = new Uint16Array(x.length)
  for (let i = 0; i < x.length; i++) {
    f[0] = x[i]!
    const bits = u[0]!
    const sign = (bits >>> 16) & 0x8000
    let e = ((bits >>> 23) & 0xff) - 127 + 15
    let m = bits & 0x7fffff
    if (e >= 31) out[i] = sign | 0x7c00 | (((bits >>> 23) & 0xff) === 0xff && m ? 0x200 : 0)
    else if (e <= 0) {
      if (e < -10) out[i] = sign
      else {
        m |= 0x800000
        const shift = 14 - e
        let h = m >> shift
        const rem = m & ((1 << shift) - 1)
        const halfway = 1 << (shift - 1)
        if (rem > halfway || (rem === halfway && h & 1)) h++
        out[i] = sign | h
      }
    } else {
      let h = (e << 10) | (m >> 13)
      const rem = m & 0x1fff
      if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++
      out[i] = sign | h
      e = 0
    }
  }
  return new ort.Tensor('float16', out, dims)
}
