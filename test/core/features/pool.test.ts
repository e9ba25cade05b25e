import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { poolLayerInto, resolvePool, spatialMeanInto, type Pool } from '../../../src-main/core/features/pool'

/** Independent float64 reference: pick the real tokens explicitly, then average / select. */
function reference(h: Float32Array, B: number, T: number, D: number, lengths: number[], side: 'left' | 'right', pool: Pool): number[][] {
  const out: number[][] = []
  for (let b = 0; b < B; b++) {
    const real: number[] = []
    for (let t = 0; t < T; t++) if (side === 'right' ? t < lengths[b]! : t >= T - lengths[b]!) real.push(t)
    const rows = real.map((t) => Array.from(h.subarray((b * T + t) * D, (b * T + t + 1) * D)))
    if (pool === 'cls') out.push(rows[0]!)
    else if (pool === 'last') out.push(rows[rows.length - 1]!)
    else out.push(rows[0]!.map((_, d) => rows.reduce((a, r) => a + r[d]!, 0) / rows.length))
  }
  return out
}

describe('poolLayerInto', () => {
  it('matches the float64 reference for random shapes, masks, sides and pools', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom<Pool>('cls', 'mean', 'last'),
        fc.constantFrom<'left' | 'right'>('left', 'right'),
        fc.integer({ min: 0, max: 1e6 }),
        (B, T, D, pool, side, seed) => {
          let s = seed
          const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1
          const h = Float32Array.from({ length: B * T * D }, rnd)
          const lengths = Array.from({ length: B }, () => 1 + Math.floor(((rnd() + 1) / 2) * T) % T)
          const L = 2
          const out = new Float32Array(B * L * D).fill(NaN)
          poolLayerInto(h, [B, T, D], { lengths: Int32Array.from(lengths), paddingSide: side }, pool, out, 1, L)
          const ref = reference(h, B, T, D, lengths, side, pool)
          for (let b = 0; b < B; b++)
            for (let d = 0; d < D; d++) {
              expect(Math.abs(out[(b * L + 1) * D + d]! - ref[b]![d]!)).toBeLessThan(1e-6)
              expect(Number.isNaN(out[(b * L + 0) * D + d]!)).toBe(true)
            }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('padding values never leak into the mean', () => {
    const h = Float32Array.from([1, 2, 3, 1e30, 5, 6, 7, 8])
    const out = new Float32Array(2)
    poolLayerInto(h, [2, 2, 2], { lengths: Int32Array.from([1, 2]), paddingSide: 'right' }, 'mean', out, 0, 1)
    expect(Array.from(out)).toEqual([1, 2])
  })

  it('copies already-pooled [B, D] outputs and rejects bad masks', () => {
    const out = new Float32Array(4)
    poolLayerInto(Float32Array.from([1, 2, 3, 4]), [2, 2], null, 'mean', out, 0, 1)
    expect(Array.from(out)).toEqual([1, 2, 3, 4])
    expect(() => poolLayerInto(new Float32Array(4), [1, 2, 2], { lengths: Int32Array.from([0]), paddingSide: 'right' }, 'mean', out, 0, 1)).toThrow(/0 real tokens/)
  })

  it('auto is CLS for vision and mean for text', () => {
    expect(resolvePool('auto', 'vision')).toBe('cls')
    expect(resolvePool('auto', 'text')).toBe('mean')
    expect(resolvePool('last', 'vision')).toBe('last')
  })
  it('auto is the (spatial) mean for networks without a class token: CNNs and Swin-like model types', () => {
    expect(resolvePool('auto', 'vision', { hasFeatureMaps: true })).toBe('mean')
    expect(resolvePool('auto', 'vision', { modelType: 'swin' })).toBe('mean')
    expect(resolvePool('auto', 'vision', { modelType: 'convnext' })).toBe('mean')
    expect(resolvePool('auto', 'vision', { modelType: 'vit' })).toBe('cls')
    expect(resolvePool('cls', 'vision', { hasFeatureMaps: true })).toBe('cls')
  })
})

describe('spatialMeanInto', () => {
  it('is the mean over height and width, channels first or last (float64 reference by explicit index)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (B, C, H, W, last, seed) => {
        let s = seed
        const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1
        const x = Float32Array.from({ length: B * C * H * W }, rnd)
        const at = (b: number, c: number, h: number, w: number): number => x[last ? ((b * H + h) * W + w) * C + c : ((b * C + c) * H + h) * W + w]!
        const L = 3
        const out = new Float32Array(B * L * C).fill(NaN)
        spatialMeanInto(x, last ? [B, H, W, C] : [B, C, H, W], last, out, 2, L)
        for (let b = 0; b < B; b++)
          for (let c = 0; c < C; c++) {
            let sum = 0
            for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) sum += at(b, c, h, w)
            expect(Math.abs(out[(b * L + 2) * C + c]! - sum / (H * W))).toBeLessThan(1e-6)
          }
        // Other layers' slots are untouched.
        expect(out.subarray(0, C).every(Number.isNaN)).toBe(true)
      }),
    )
  })
})
