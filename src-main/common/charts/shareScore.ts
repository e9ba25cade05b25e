import type { EChartsOption } from 'echarts'
import { ACCENT, AXIS_NAME_STYLE, baseOption, fmtNum, type ChartOpts } from './theme'

export interface ShareScoreData {
  xName: string
  yName: string
  series: { name: string; points: [number, number][] }[]
  title?: string
  subtitle?: string
  /** Mark the highest point of each series. */
  markPeak?: boolean
  digits?: number
}

/**
 * (h) Score as a function of a share (e.g. LLM–vision alignment vs % reasoning data, or accuracy vs
 * recipe share): one line per series on numeric axes. Also used for per-layer score curves.
 */
export function shareScoreOption(data: ShareScoreData, opts: ChartOpts = {}): EChartsOption {
  const digits = data.digits ?? 3
  const o = baseOption(opts, data.title ?? `${data.yName} vs ${data.xName}`, data.subtitle)
  if (!opts.print) o.tooltip = { trigger: 'axis', confine: true }
  o.legend = data.series.length > 1 ? { bottom: 0, textStyle: { fontSize: 10 }, itemWidth: 14, itemHeight: 8 } : undefined
  o.grid = { left: 70, right: 30, top: data.subtitle || opts.subtitle ? 62 : 48, bottom: data.series.length > 1 ? 64 : 44 }
  o.xAxis = { type: 'value', name: data.xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, scale: true }
  o.yAxis = { type: 'value', name: data.yName, nameLocation: 'middle', nameGap: 50, nameTextStyle: AXIS_NAME_STYLE, scale: true, axisLabel: { formatter: (v: number) => fmtNum(v, digits) } }
  o.series = data.series.map((s): unknown => {
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])).sort((a, b) => a[0] - b[0])
    const peak = pts.reduce<[number, number] | null>((b, p) => (!b || p[1] > b[1] ? p : b), null)
    return {
      type: 'line' as const,
      name: s.name,
      symbolSize: 6,
      data: pts,
      markPoint:
        data.markPeak && peak
          ? { symbol: 'pin', symbolSize: 34, itemStyle: { color: ACCENT }, label: { fontSize: 8, formatter: fmtNum(peak[1], digits) }, data: [{ coord: peak }] }
          : undefined,
    }
  }) as never
  return o
}
