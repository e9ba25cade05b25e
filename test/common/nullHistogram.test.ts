import { describe, expect, it } from 'vitest'
import { histogramBins, nullHistogramOption } from '../../src-main/common/charts'

describe('null histogram', () => {
  it('bins every null value once over equal widths spanning the values and the extra marks', () => {
    const h = histogramBins([0.1, 0.2, 0.2, 0.3, 0.5], [0.6], 5)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5)
    expect(h.width).toBeCloseTo(0.1, 12)
    expect(h.edges[0]).toBeCloseTo(0.1, 12)
    // [0.1, 0.2) [0.2, 0.3) [0.3, 0.4) [0.4, 0.5) [0.5, 0.6]
    expect(h.counts).toEqual([1, 2, 1, 0, 1])
    // all values equal: a small span around them rather than zero-width bins
    const same = histogramBins([0.4, 0.4], [], 4)
    expect(same.counts.reduce((a, b) => a + b, 0)).toBe(2)
    expect(same.width).toBeGreaterThan(0)
  })

  it('marks the observed score and tau, and keeps a far observed score on the axis', () => {
    const o = nullHistogramOption({ nulls: [0.01, 0.02, 0.03], observed: 0.9, threshold: 0.03, pValue: 0.25, metric: 'cka' }) as { xAxis: { max: number }; series: { markLine: { data: { name: string; xAxis: number }[] } }[] }
    expect(o.series[0]!.markLine.data.map((d) => [d.name, d.xAxis])).toEqual([['τ', 0.03], ['observed', 0.9]])
    expect(o.xAxis.max).toBeGreaterThan(0.9)
  })
})
