import { describe, expect, it } from 'vitest'
import { aggregateTable, benjaminiHochberg, calibrationStats, minPermutations, thresholdRank } from '../../../src-main/core/align/calibration'
import { mulberry32 } from '../../../src-main/common/random'

describe('calibration formulas (closed form)', () => {
  it('K = 9 nulls 0.20..0.28, T_obs = 0.30, alpha = 0.10: tau = 0.28, p = 0.1, s_cal = 0.02/0.72', () => {
    const nulls = [0.2, 0.21, 0.22, 0.23, 0.24, 0.25, 0.26, 0.27, 0.28]
    const c = calibrationStats(0.3, nulls, 0.1, 'max')
    // rank ⌈0.9 · 10⌉ = 9 of {0.20..0.28, 0.30}
    expect(c.threshold).toBe(0.28)
    expect(c.p_value).toBeCloseTo(0.1, 15)
    expect(c.score).toBeCloseTo(0.0277778, 7)
    expect(c.null_mean).toBeCloseTo(0.24, 12)
    // sample sd of 0.20..0.28 step 0.01: sqrt(Σ (i·0.01)², i = -4..4 / 8) = sqrt(0.006/8)
    expect(c.null_sd).toBeCloseTo(Math.sqrt(0.006 / 8), 12)
    expect(c.permutations).toBe(9)
    expect(c.note).toBeNull()
    expect(c.null_values).toEqual(nulls)
  })

  it('order of the nulls does not matter; T_obs below tau scores 0 with p counted from the nulls', () => {
    const nulls = [0.28, 0.2, 0.26, 0.22, 0.24, 0.21, 0.27, 0.23, 0.25]
    const c = calibrationStats(0.235, nulls, 0.1, 'single')
    expect(c.threshold).toBe(0.27)
    expect(c.score).toBe(0)
    // nulls ≥ 0.235: 0.24..0.28 → 5
    expect(c.p_value).toBeCloseTo(6 / 10, 15)
  })

  it('ties: a null equal to T_obs counts in p, and tau may equal T_obs (then s_cal = 0)', () => {
    const c = calibrationStats(0.5, [0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], 0.1, 'max')
    expect(c.p_value).toBeCloseTo(3 / 10, 15)
    // sorted: 0.1 ×7, 0.5 ×3; rank 9 → 0.5
    expect(c.threshold).toBe(0.5)
    expect(c.score).toBe(0)
    const all = calibrationStats(0.4, Array(19).fill(0.4), 0.05, 'max')
    expect(all.p_value).toBe(1)
    expect(all.score).toBe(0)
  })

  it('tau at 1 gives s_cal = 0 rather than a division by zero', () => {
    const c = calibrationStats(1, Array(39).fill(1), 0.05, 'max')
    expect(c.threshold).toBe(1)
    expect(c.score).toBe(0)
  })

  it('K ≤ 18 at alpha = 0.05 cannot reject: score 0 with a note, K = 19 can', () => {
    expect(minPermutations(0.05)).toBe(19)
    expect(minPermutations(0.1)).toBe(9)
    expect(minPermutations(0.01)).toBe(99)
    expect(thresholdRank(18, 0.05)).toBe(19) // the largest of 19 values
    expect(thresholdRank(19, 0.05)).toBe(19) // 0.95 · 20 = 19 exactly, despite rounding of 0.95
    expect(thresholdRank(200, 0.05)).toBe(191) // ⌈190.95⌉
    const nulls18 = Array.from({ length: 18 }, (_, i) => i / 100)
    const small = calibrationStats(0.9, nulls18, 0.05, 'max')
    expect(small.score).toBe(0)
    expect(small.threshold).toBe(0.9)
    expect(small.p_value).toBeCloseTo(1 / 19, 15)
    expect(small.note).toMatch(/K=18 .*cannot reject.*at least 19/)
    const enough = calibrationStats(0.9, [...nulls18, 0.18], 0.05, 'max')
    expect(enough.note).toBeNull()
    expect(enough.threshold).toBe(0.18)
    expect(enough.score).toBeCloseTo((0.9 - 0.18) / (1 - 0.18), 14)
  })
})

describe('aggregateTable', () => {
  it('layered: the best score above 0 (0 when none is); single: the cell itself', () => {
    expect(aggregateTable([[0.1, 0.4], [0.3, 0.2]], true)).toBe(0.4)
    expect(aggregateTable([[-0.1, -0.4]], true)).toBe(0)
    expect(aggregateTable([[-0.25]], false)).toBe(-0.25)
  })
})

describe('Benjamini–Hochberg', () => {
  it('matches hand-computed values (R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH"))', () => {
    // sorted 0.005, 0.01, 0.03, 0.04 → m·p/rank 0.02, 0.02, 0.04, 0.04 → running minima from the top
    const adj = benjaminiHochberg([0.01, 0.04, 0.03, 0.005])
    expect(adj[0]).toBeCloseTo(0.02, 15)
    expect(adj[1]).toBeCloseTo(0.04, 15)
    expect(adj[2]).toBeCloseTo(0.04, 15)
    expect(adj[3]).toBeCloseTo(0.02, 15)
    expect(benjaminiHochberg([0.5, 0.9])).toEqual([0.9, 0.9])
    expect(benjaminiHochberg([1, 1, 1])).toEqual([1, 1, 1])
    expect(benjaminiHochberg([NaN, 0.02])).toEqual([NaN, 0.02])
  })

  it('rejecting adjusted p ≤ alpha is the step-up rule (largest k with p_(k) ≤ alpha·k/m); adjusted values are monotone in p', () => {
    const rng = mulberry32(7)
    for (let trial = 0; trial < 200; trial++) {
      const m = 1 + Math.floor(rng() * 30)
      const p = Array.from({ length: m }, () => (rng() < 0.3 ? rng() * 0.01 : rng()))
      const alpha = 0.05
      const sorted = [...p].sort((a, b) => a - b)
      let kMax = 0
      for (let k = 1; k <= m; k++) if (sorted[k - 1]! <= (alpha * k) / m) kMax = k
      const adj = benjaminiHochberg(p)
      const rejected = adj.filter((x) => x <= alpha).length
      expect(rejected).toBe(kMax)
      for (let i = 0; i < m; i++) {
        expect(adj[i]!).toBeGreaterThanOrEqual(p[i]! - 1e-15)
        expect(adj[i]!).toBeLessThanOrEqual(1)
        for (let j = 0; j < m; j++) if (p[i]! <= p[j]!) expect(adj[i]!).toBeLessThanOrEqual(adj[j]! + 1e-15)
      }
    }
  })
})
