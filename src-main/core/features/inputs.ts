import * as ort from 'onnxruntime-node'
import type { DatasetItem } from '../data/dataset'
import type { TextEncoder } from '../data/text'
import type { ModelInfo } from '../onnx/modelInfo'
import { imageFitOf } from './imageFit'
import { plainImageFeeds, plainTextFeeds, type PlainFeed, type PlainTensor } from './prepare'
import type { TokenMask } from './pool'

/** One session.run worth of inputs and the mask the pooling needs; `rows` index into the batch. */
export interface Feed {
  feeds: Record<string, ort.Tensor>
  mask: TokenMask | null
  rows: number[]
}

/** Wraps a prepared feed's typed arrays as tensors (no copy). */
export function toFeed(p: PlainFeed): Feed {
  const feeds: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(p.tensors)) feeds[name] = hostToOrt(t)
  return { feeds, mask: p.mask, rows: p.rows }
}

function hostToOrt(t: PlainTensor): ort.Tensor {
  switch (t.type) {
    case 'float32':
      return new ort.Tensor('float32', t.data as Float32Array, t.dims)
    case 'float16':
      return new ort.Tensor('float16', t.data as Uint16Array, t.dims)
    case 'bool':
      return new ort.Tensor('bool', t.data as Uint8Array, t.dims)
    default:
      return new ort.Tensor('int64', t.data as BigInt64Array, t.dims)
  }
}

/** Images of a batch as feeds: one `[B, 3, H, W]` float32 tensor per preprocessed size. */
export function imageFeeds(info: ModelInfo, items: DatasetItem[]): Feed[] {
  return plainImageFeeds(info.imageInput!, items, info.image!, imageFitOf(info)).map(toFeed)
}

/** Captions of a batch as one padded feed (see `plainTextFeeds`). */
export function textFeeds(info: ModelInfo, enc: TextEncoder, items: DatasetItem[]): Feed[] {
  return plainTextFeeds(new Set(info.inputs.map((i) => i.name)), enc, items, info.decoder).map(toFeed)
}
