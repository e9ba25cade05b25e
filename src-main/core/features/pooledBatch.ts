import type * as ort from 'onnxruntime-node'
import { AppError, badArg, badInput } from '../../common/errors'
import type { GraphPooling } from '../onnx/graphPooling'
import type { ModelInfo } from '../onnx/modelInfo'
import { firstNonFinite, toFloat32 } from './floatOutputs'
import type { Feed } from './inputs'
import { poolLayerInto, spatialMeanInto, type Pool } from './pool'

/** How the session's outputs become features: the same for every batch of an extraction. */
export interface LayerPooling {
  info: ModelInfo
  layers: string[]
  /** The outputs session.run fetches: the layers, or (pooling in the graph) each layer pooled, then each layer's own shape. */
  fetch: string[]
  /** With pooling in the graph, the int64 shape output of each layer; else null (the layers arrive whole). */
  shapes: string[] | null
  pool: Pool
  /** Layers whose feature maps are `[B, H, W, C]`. */
  channelsLast: ReadonlySet<string>
}

export function layerPooling(info: ModelInfo, layers: string[], graph: GraphPooling | null, pool: Pool): LayerPooling {
  return { info, layers, fetch: graph ? [...graph.pooled, ...graph.shapes] : layers, shapes: graph ? graph.shapes : null, pool, channelsLast: new Set(info.channelsLast) }
}

/**
 * Checks one layer's output for pooling and returns its pooled width: `[B, D]` as is, `[B, T, D]` by
 * tokens, `[B, C, H, W]` (or `[B, H, W, C]`, `channelsLast`) by spatial mean only: a feature map has no
 * CLS or last token.
 */
function layerWidth(name: string, dims: readonly number[], f: Feed, pool: Pool, channelsLast: boolean): number {
  if (dims[0] !== f.rows.length) throw badArg('layers', `${name} has batch size ${dims[0]}, expected ${f.rows.length}: not a per-item activation`)
  if (dims.length < 2 || dims.length > 4) throw badArg('layers', `${name} has shape [${dims.join(', ')}]; expected [batch, tokens, dim], [batch, dim] or a [batch, channels, height, width] feature map`)
  if (dims.length === 4) {
    if (pool !== 'mean') throw badArg('pool', `${name} is a feature map [${dims.join(', ')}] (${channelsLast ? 'channels last' : 'channels first'}); it has no ${pool === 'cls' ? 'CLS' : 'last'} token: choose pool mean (spatial mean)`)
    return channelsLast ? dims[3]! : dims[1]!
  }
  if (f.mask && dims.length === 3 && dims[1] !== f.feeds.input_ids!.dims[1]) throw badArg('layers', `${name} has ${dims[1]} positions but the input has ${f.feeds.input_ids!.dims[1]} tokens; cannot apply the attention mask`)
  return dims[dims.length - 1]!
}

/**
 * One batch's features, `count` rows of the item's layers side by side (`[count, sum of widths]`,
 * row-major), filled from the batch's session runs: one, or one per image size, or one per part after
 * onnxruntime ran out of memory. Raw outputs are pooled and released run by run.
 */
export class PooledBatch {
  private pooled: Float32Array | null = null
  /** Per-layer widths, and where each layer starts in an item's row (layers may differ in width). */
  private dims: number[] = []
  private offsets: number[] = []
  private width = 0

  constructor(
    private readonly p: LayerPooling,
    private readonly count: number,
  ) {}

  /** Pools the outputs `res` of the run of `f` into the rows `f.rows`, and releases them. */
  add(f: Feed, res: ort.InferenceSession.ReturnType): void {
    const { info, layers, fetch, shapes, pool, channelsLast } = this.p
    const identity = f.rows.length === this.count && f.rows.every((r, j) => r === j)
    // With pooling in the graph, a [B, T, D] layer arrives as [B, D] (other ranks unchanged); the
    // checks read the layer's own shape.
    const own = layers.map((_, l) => (shapes ? Array.from(res[shapes[l]!]!.data as BigInt64Array, Number) : res[fetch[l]!]!.dims))
    const widths = layers.map((name, l) => layerWidth(name, own[l]!, f, pool, channelsLast.has(name)))
    layers.forEach((name, l) => {
      const D = widths[l]!
      if (info.hiddenSize && D !== info.hiddenSize && info.residualStream.includes(name)) throw badInput(info.file, `${name} is ${D} wide but the residual stream is ${info.hiddenSize} wide (${info.hiddenSizeSource}), so it is not a residual-stream tensor; name the layers to extract (see \`layers\`)`)
    })
    if (!this.pooled) {
      this.dims = widths
      this.offsets = widths.map((_, l) => widths.slice(0, l).reduce((a, d) => a + d, 0))
      this.width = widths.reduce((a, d) => a + d, 0)
      // Shared memory, so handing the batch to the worker to write shares it instead of copying it
      // into the message.
      this.pooled = new Float32Array(new SharedArrayBuffer(this.count * this.width * 4))
    } else if (widths.join() !== this.dims.join()) throw badArg('layers', `layer widths changed between images of one batch ([${this.dims.join(', ')}], then [${widths.join(', ')}])`)
    const pooled = this.pooled
    const { dims, offsets, width } = this
    const uniform = dims.every((d) => d === dims[0])
    layers.forEach((name, l) => {
      const t = res[fetch[l]!]!
      const x = toFloat32(name, t)
      const D = dims[l]!
      const into = (out: Float32Array, at: number, of: number): void =>
        t.dims.length === 4 ? spatialMeanInto(x, t.dims, channelsLast.has(name), out, at, of) : poolLayerInto(x, t.dims, f.mask, pool, out, at, of)
      if (identity && uniform) {
        into(pooled, l, layers.length)
        return
      }
      // Images of several sizes come in groups, and layers may differ in width: pool the layer on
      // its own, then place each row at its item's row and the layer's offset.
      const tmpOut = new Float32Array(f.rows.length * D)
      into(tmpOut, 0, 1)
      f.rows.forEach((r, j) => pooled.set(tmpOut.subarray(j * D, (j + 1) * D), r * width + offsets[l]!))
    })
    for (const name of Object.keys(res)) res[name]!.dispose?.()
  }

  /** The finished batch: its features, each layer's width, and the widest. */
  result(): { features: Float32Array; dims: number[]; dim: number } {
    if (!this.pooled) throw new AppError('INTERNAL', 'a batch finished without a session run')
    return { features: this.pooled, dims: this.dims, dim: Math.max(...this.dims) }
  }

  /** Where the first NaN or infinity is (item row within the batch, layer, value), or null when every value is finite. */
  nonFinite(): { row: number; layer: string | undefined; value: number } | null {
    const { features } = this.result()
    const bad = firstNonFinite(features)
    if (bad < 0) return null
    const row = Math.floor(bad / this.width)
    const within = bad - row * this.width
    return { row, layer: this.p.layers[this.offsets.findLastIndex((o) => o <= within)], value: features[bad]! }
  }
}
