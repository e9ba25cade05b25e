import type { Pool, PoolChoice } from '../../common/contract/features'
import type { Modality } from '../../common/contract/registry'

export { POOL_CHOICES, type Pool, type PoolChoice } from '../../common/contract/features'

/** Which tokens of each row are real: all of them (images) or `lengths[b]` on one side (padded text). */
export interface TokenMask {
  lengths: Int32Array
  paddingSide: 'left' | 'right'
}

/**
 * Pools one layer's hidden states `h` `[B, T, D]` (row-major) into `out` `[B, L, D]` at layer `layer`.
 * - cls:  h[b, first real token]   (token 0 for images and right-padded text)
 * - mean: (1 / n_b) * sum over real tokens t of h[b, t]   (attention-masked mean, as the PRH code
 *         pools language models: `(hidden * mask).sum(1) / mask.sum(1)`, Huh et al. 2024, extract_features)
 * - last: h[b, last real token]
 * Sums use float64 accumulators and the result is stored as float32. A 2-D `[B, D]` output (already
 * pooled, e.g. pooler_output) is copied as is. Padding tokens never contribute, so the result does not
 * depend on batch composition or padding side.
 */
export function poolLayerInto(
  h: Float32Array,
  dims: readonly number[],
  mask: TokenMask | null,
  pool: Pool,
  out: Float32Array,
  layer: number,
  layers: number,
): void {
  const B = dims[0]!
  if (dims.length === 2) {
    const D = dims[1]!
    for (let b = 0; b < B; b++) out.set(h.subarray(b * D, (b + 1) * D), (b * layers + layer) * D)
    return
  }
  if (dims.length !== 3) throw new RangeError(`poolLayerInto: expected a [batch, tokens, dim] tensor, got [${dims.join(', ')}]`)
  const T = dims[1]!
  const D = dims[2]!
  for (let b = 0; b < B; b++) {
    const n = mask ? mask.lengths[b]! : T
    if (n <= 0 || n > T) throw new RangeError(`poolLayerInto: row ${b} has ${n} real tokens of ${T}`)
    const first = mask && mask.paddingSide === 'left' ? T - n : 0
    const dst = (b * layers + layer) * D
    const row = b * T * D
    if (pool === 'cls' || pool === 'last') {
      const t = pool === 'cls' ? first : first + n - 1
      out.set(h.subarray(row + t * D, row + (t + 1) * D), dst)
      continue
    }
    // One register accumulator per feature, tokens in order: the same additions as a per-token pass,
    // without a load and store of the accumulator per addition.
    const startTok = row + first * D
    const endTok = startTok + n * D
    for (let d = 0; d < D; d++) {
      let sum = 0
      for (let p = startTok + d; p < endTok; p += D) sum += h[p]!
      out[dst + d] = sum / n
    }
  }
}

/**
 * Spatial mean of one feature map into `out` `[B, L, C]` at layer `layer`: out[b, c] = (1 / HW) *
 * sum over h, w of x[b, c, h, w] for `[B, C, H, W]`, or of x[b, h, w, c] when `channelsLast`
 * (`[B, H, W, C]`, as Swin-style stages keep them). Float64 accumulators, float32 result. This is
 * torch's `x.mean(dim=(2, 3))` (adaptive average pooling to 1 x 1, the pooling of a ResNet or ConvNeXt
 * head) and ONNX ReduceMean over axes [2, 3] (channels last: [1, 2]).
 */
export function spatialMeanInto(h: Float32Array, dims: readonly number[], channelsLast: boolean, out: Float32Array, layer: number, layers: number): void {
  if (dims.length !== 4) throw new RangeError(`spatialMeanInto: expected a 4-D feature map, got [${dims.join(', ')}]`)
  const [B, a1, a2, a3] = dims as [number, number, number, number]
  const C = channelsLast ? a3 : a1
  const HW = channelsLast ? a1 * a2 : a2 * a3
  const sums = new Float64Array(C)
  for (let b = 0; b < B; b++) {
    const base = b * C * HW
    const dst = (b * layers + layer) * C
    if (channelsLast) {
      sums.fill(0)
      for (let p = 0; p < HW; p++) {
        const o = base + p * C
        for (let c = 0; c < C; c++) sums[c]! += h[o + c]!
      }
      for (let c = 0; c < C; c++) out[dst + c] = sums[c]! / HW
      continue
    }
    for (let c = 0; c < C; c++) {
      let sum = 0
      const o = base + c * HW
      for (let p = 0; p < HW; p++) sum += h[o + p]!
      out[dst + c] = sum / HW
    }
  }
}

/** Vision architectures with no class token: their features are averaged (Swin and CNNs in transformers' naming). */
const NO_CLS_TOKEN = /^(swin|swinv2|donut-swin|convnext|convnextv2|resnet|regnet|bit|efficientnet|mobilenet_v1|mobilenet_v2|mobilevit|focalnet|poolformer|van|nat|dinat)$/

/**
 * `auto`: CLS for vision encoders with a class token, masked mean for text (the PRH defaults), and the
 * (spatial) mean for networks without a class token: CNNs (`hasFeatureMaps`: stages were found) and the
 * architectures in NO_CLS_TOKEN (config.json `model_type`).
 */
export function resolvePool(choice: PoolChoice, modality: Modality, arch: { hasFeatureMaps?: boolean; modelType?: string } = {}): Pool {
  if (choice !== 'auto') return choice
  if (modality !== 'vision') return 'mean'
  return arch.hasFeatureMaps || NO_CLS_TOKEN.test(arch.modelType ?? '') ? 'mean' : 'cls'
}
