import { badInput } from '../../common/errors'
import type { ImagePreprocessing } from '../data/imageProcessor'
import { loadTextEncoder, type TextEncoder } from '../data/text'
import { decoderFeeds, positionIdsFromMask, type DecoderInputPlan, type HostTensor } from '../onnx/decoderInputs'
import { imageGroups } from './imageBatch'
import type { ImageFit } from './imageFit'
import type { TokenMask } from './pool'

/**
 * Turning dataset items into model inputs, with no onnxruntime in sight: tensors are plain typed arrays
 * so a batch can be prepared in a worker thread and transferred (not copied) to the thread that runs
 * the session. `inputs.ts` wraps them as ort.Tensor.
 */

/** What a preparer needs to know about the model; plain data, so it can be sent to a worker. */
export type PrepSpec =
  | { kind: 'image'; input: string; image: ImagePreprocessing; fit?: ImageFit }
  | { kind: 'text'; tokenizerJson: string; tokenizerConfig: string | null; positionLimit: number | null; inputNames: string[]; decoder?: DecoderInputPlan | null; paddingSide?: 'left' | 'right' | null }

/** The fields of a dataset item that preparation reads. */
export interface PrepItem {
  id: string
  image?: string
  caption?: string
}

export type PlainTensor = HostTensor

/** One session.run worth of inputs and the mask the pooling needs; `rows` index into the batch. */
export interface PlainFeed {
  tensors: Record<string, PlainTensor>
  mask: TokenMask | null
  rows: number[]
}

/** Images of a batch: one `[B, 3, H, W]` float32 tensor per preprocessed size. */
export function plainImageFeeds(input: string, items: PrepItem[], p: ImagePreprocessing, fit?: ImageFit): PlainFeed[] {
  return imageGroups(items, p, fit).map((g) => ({ tensors: { [input]: { type: 'float32', data: g.data, dims: [g.rows.length, 3, g.h, g.w] } }, mask: null, rows: g.rows }))
}

/**
 * Captions of a batch tokenised and padded to `[B, T]` int64 with attention_mask; token_type_ids are
 * zeros and position_ids count real tokens only (cumsum(mask) - 1, as transformers' GPT-2 generation
 * does), so left padding does not shift positions. Only inputs the model declares are produced, plus a
 * decoder's empty key/value cache when it has one (`decoderFeeds`).
 */
export function plainTextFeeds(inputNames: ReadonlySet<string>, enc: TextEncoder, items: PrepItem[], decoder: DecoderInputPlan | null = null): PlainFeed[] {
  const texts = items.map((it) => {
    if (typeof it.caption !== 'string') throw badInput(it.id, 'this item has no caption, but the model is a text model')
    return it.caption
  })
  const tb = enc.encodeBatch(texts)
  tb.lengths.forEach((n, b) => {
    if (n === 0) throw badInput(items[b]!.id, 'the caption produces no tokens')
  })
  const dims = [tb.batch, tb.seq]
  const tensors: Record<string, PlainTensor> = { input_ids: { type: 'int64', data: tb.inputIds, dims } }
  if (inputNames.has('attention_mask')) tensors.attention_mask = { type: 'int64', data: tb.attentionMask, dims }
  if (inputNames.has('token_type_ids')) tensors.token_type_ids = { type: 'int64', data: new BigInt64Array(tb.batch * tb.seq), dims }
  if (inputNames.has('position_ids')) tensors.position_ids = { type: 'int64', data: positionIdsFromMask(tb.attentionMask, tb.batch, tb.seq), dims }
  if (decoder) Object.assign(tensors, decoderFeeds(decoder, tb.batch, tb.seq))
  return [{ tensors, mask: { lengths: tb.lengths, paddingSide: tb.paddingSide }, rows: items.map((_, i) => i) }]
}

/** The tokenizer a text spec names, loaded (throws BAD_INPUT naming the file when it cannot be), padding on the side the spec says if it says one. */
export function specEncoder(spec: Extract<PrepSpec, { kind: 'text' }>): TextEncoder {
  const enc = loadTextEncoder(spec.tokenizerJson, spec.tokenizerConfig, spec.positionLimit ?? undefined)
  if (spec.paddingSide) enc.prep.paddingSide = spec.paddingSide
  return enc
}

/** A function preparing whole batches for `spec`; loads the tokenizer once, unless `loaded` is given. */
export function makeBatchPreparer(spec: PrepSpec, loaded: TextEncoder | null = null): (items: PrepItem[]) => PlainFeed[] {
  if (spec.kind === 'image') return (items) => plainImageFeeds(spec.input, items, spec.image, spec.fit)
  const enc = loaded ?? specEncoder(spec)
  const names = new Set(spec.inputNames)
  const decoder = spec.decoder ?? null
  return (items) => plainTextFeeds(names, enc, items, decoder)
}

/**
 * Who prepares a batch requested from the worker: each request's slot (id mod CLAIM_SLOTS) in a shared
 * Int32Array holds CLAIM_OPEN until the worker (CLAIM_WORKER) or the requesting thread (CLAIM_CALLER)
 * takes it with a compare-and-swap, so a batch is prepared exactly once. Slots are reused only after
 * CLAIM_SLOTS requests; far fewer are ever in flight.
 */
export const CLAIM_SLOTS = 1024
export const CLAIM_OPEN = 0
export const CLAIM_WORKER = 1
export const CLAIM_CALLER = 2

/** The buffers a batch owns, for a zero-copy postMessage. */
export function transferList(feeds: PlainFeed[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  for (const f of feeds) {
    for (const t of Object.values(f.tensors)) out.add(t.data.buffer as ArrayBuffer)
    if (f.mask) out.add(f.mask.lengths.buffer as ArrayBuffer)
  }
  return [...out]
}
