import * as ort from 'onnxruntime-node'
import { badInput } from '../../common/errors'
import type { DatasetItem } from '../data/dataset'
import { imageGroups, type ImageGroup } from './imageBatch'
import type { TextEncoder } from '../data/text'
import type { ModelInfo } from '../onnx/modelInfo'
import type { TokenMask } from './pool'

/** One session.run worth of inputs and the mask the pooling needs; `rows` index into the batch. */
export interface Feed {
  feeds: Record<string, ort.Tensor>
  mask: TokenMask | null
  rows: number[]
}

/** Images of a batch as feeds: one `[B, 3, H, W]` float32 tensor per preprocessed size. */
export function imageFeeds(info: ModelInfo, items: DatasetItem[], groups: ImageGroup[] = imageGroups(items, info.image!)): Feed[] {
  return groups.map((g) => ({ feeds: { [info.imageInput!]: new ort.Tensor('float32', g.data, [g.rows.length, 3, g.h, g.w]) }, mask: null, rows: g.rows }))
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
