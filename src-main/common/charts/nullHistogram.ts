import type { EChartsOption } from 'echarts'
import { ACCENT, AXIS_NAME_STYLE, PALETTE, baseOption, fmtNum, fmtP, type ChartOpts } from './theme'

export interface NullHistogramData {
  /** T_1..T_K: the aggregated statistic of each permutation. */
  nulls: number[]
  /** T_obs, the observed (raw) aggregate. */
  observed: number
  /** τ, the calibration threshold. */
  threshold: number
  pValue: number
  metric: string
  /** Bins; default ⌈√K⌉ clamped to 8..40. */
  bins?: number
  title?: string
}

/** Equal-width bins spanning the nulls, T_obs and τ: [lower edge, count] per bin and the bin width. */
export function histogramBins(values: number[], extra: number[], bins: number): { edges: number[]; counts: number[]; width: number } {
  const all = [...values, ...extra].filter(Number.isFinite)
  let lo = Math.min(...all)
  let hi = Math.max(...all)
  if (!(hi > lo)) {
    lo -= 0.5e-3
    hi += 0.5e-3
  }
  const width = (hi - lo) / bins
  const counts = new Array<number>(bins).fill(0)
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]! += 1
  return { edges: counts.map((_, b) => lo + b * width), counts, width }
}

/** Histogram of the permutation null of a layer search, with T_obs and τ as vertical lines. */
export function nullHistogramOption(data: NullHistogramData, opts: ChartOpts = {}): EChartsOption {
  const k = data.nulls.length
  const bins = data.bins ?? Math.min(40, Math.max(8, Math.ceil(Math.sqrt(k))))
  const h = histogramBins(data.nulls, [data.observed, data.threshold], bins)
  const o = baseOption(opts, data.title ?? `Permutation null of the layer search (${data.metric})`, `K = ${k}; observed ${fmtNum(data.observed)}, τ = ${fmtNum(data.threshold)}, p = ${fmtP(data.pValue)}`)
  o.grid = { left: 56, right: 24, top: 62, bottom: 48 }
  o.xAxis = { type: 'value', name: `${data.metric}, best over layer pairs`, nameLocation: 'middle', nameGap: 28, nameTextStyle: AXIS_NAME_STYLE, scale: true, min: h.edges[0], max: h.edges[0]! + bins * h.width }
  o.yAxis = { type: 'value', name: 'permutations', nameLocation: 'middle', nameGap: 36, nameTextStyle: AXIS_NAME_STYLE, minInterval: 1 }
  const line = (x: number, name: string, color: string) => ({ xAxis: x, name, lineStyle: { color, width: 2, type: name === 'τ' ? ('dashed' as const) : ('solid' as const) }, label: { formatter: name, color } })
  o.series = [
    {
      type: 'bar',
      name: 'null T_k',
      barWidth: '96%',
      itemStyle: { color: PALETTE[0] },
      data: h.counts.map((c, b) => [h.edges[b]! + h.width / 2, c]),
      markLine: { symbol: 'none', silent: true, data: [line(data.threshold, 'τ', '#444444'), line(data.observed, 'observed', ACCENT)] as never },
    },
  ]
  return o
}
