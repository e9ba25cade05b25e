export type Pool = 'cls' | 'mean' | 'last'
export const POOL_CHOICES = ['auto', 'cls', 'mean', 'last'] as const
export type PoolChoice = (typeof POOL_CHOICES)[number]

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

/** `auto`: CLS for vision encoders, masked mean for text (the PRH defaults). */
export function resolvePool(choice: PoolChoice, modality: 'vision' | 'text' | 'unknown'): Pool {
  if (choice !== 'auto') return choice
  return modality === 'vision' ? 'cls' : 'mean'
}
