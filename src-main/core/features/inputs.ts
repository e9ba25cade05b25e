import * as ort from 'onnxruntime-node'
import { badInput } from '../../common/errors'
import type { DatasetItem } from '../data/dataset'
import { decodeImage } from '../data/image'
import { outputSize, preprocessInto } from '../data/imageProcessor'
import type { TextEncoder } from '../data/text'
import type { ModelInfo } from '../onnx/modelInfo'
import type { TokenMask } from './pool'

/** One session.run worth of inputs and the mask the pooling needs; `rows` index into the batch. */
export interface Feed {
  feeds: Record<string, ort.Tensor>
  mask: TokenMask | null
  rows: number[]
}

/**
 * Images of a batch, decoded and preprocessed into `[B, 3, H, W]` float32. Images whose preprocessed
 * sizes differ (shortest-edge resize without a crop) cannot share a tensor, so they form separate feeds.
 */
export function imageFeeds(info: ModelInfo, items: DatasetItem[]): Feed[] {
  const p = info.image!
  const decoded = items.map((it) => {
    if (!it.image) throw badInput(it.id, 'this item has no image, but the model is a vision model')
    const img = decodeImage(it.image)
    return { img, size: outputSize(p, img.width, img.height) }
  })
  const groups = new Map<string, number[]>()
  decoded.forEach((d, i) => {
    const k = d.size.join('x')
    const g = groups.get(k)
    if (g) g.push(i)
    else groups.set(k, [i])
  })
  const out: Feed[] = []
  for (const rows of groups.values()) {
    const [h, w] = decoded[rows[0]!]!.size
    const plane = 3 * h * w
    const data = new Float32Array(rows.length * plane)
    rows.forEach((r, j) => preprocessInto(decoded[r]!.img, p, data, j * plane))
    out.push({ feeds: { [info.imageInput!]: new ort.Tensor('float32', data, [rows.length, 3, h, w]) }, mask: null, rows })
  }
  return out
}

/**
 * Captions of a batch tokenised and padded to `[B, T]` int64 with attention_mask; token_type_ids are
 * zeros and position_ids count real tokens only (cumsum(mask) - 1, as transformers' GPT-2 generation
 * does), so left padding does not shift positions.
 */
export function textFeeds(info: ModelInfo, enc: TextEncoder, items: DatasetItem[]): Feed[] {
  const texts = items.map((it) => {
    if (typeof it.caption !== 'string') throw badInput(it.id, 'this item has no caption, but the model is a text model')
    return it.caption
  })
  const tb = enc.encodeBatch(texts)
  tb.lengths.forEach((n, b) => {
    if (n === 0) throw badInput(items[b]!.id, 'the caption produces no tokens')
  })
  const names = new Set(info.inputs.map((i) => i.name))
  const dims = [tb.batch, tb.seq]
  const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', tb.inputIds, dims) }
  if (names.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', tb.attentionMask, dims)
  if (names.has('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(tb.batch * tb.seq), dims)
  if (names.has('position_ids')) {
    const pos = new BigInt64Array(tb.batch * tb.seq)
    for (let b = 0; b < tb.batch; b++) {
      let c = -1
      for (let t = 0; t < tb.seq; t++) {
        if (tb.attentionMask[b * tb.seq + t] === 1n) c++
        pos[b * tb.seq + t] = BigInt(Math.max(c, 0))
      }
    }
    feeds.position_ids = new ort.Tensor('int64', pos, dims)
  }
  return [{ feeds, mask: { lengths: tb.lengths, paddingSide: tb.paddingSide }, rows: items.map((_, i) => i) }]
}
