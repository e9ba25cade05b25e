import type { EChartsOption } from 'echarts'
import { leastSquaresLine } from './fit'
import { ACCENT, AXIS_NAME_STYLE, PALETTE, baseOption, fmtNum, fmtP, type ChartOpts } from './theme'

export interface CapabilityScatterData {
  points: { model: string; alignment: number; capability: number }[]
  capabilityName: string
  alignmentName?: string
  /** Spearman rank correlation and its p-value, computed by the caller (shown in the subtitle). */
  rho?: number | null
  p?: number | null
}

/** (d) Alignment vs capability: one labelled point per model, least-squares line, Spearman ρ and p. */
export function capabilityScatterOption(data: CapabilityScatterData, opts: ChartOpts = {}): EChartsOption {
  const pts = data.points.filter((p) => Number.isFinite(p.alignment) && Number.isFinite(p.capability))
  const xs = pts.map((p) => p.capability)
  const ys = pts.map((p) => p.alignment)
  const line = leastSquaresLine(xs, ys)
  const alignName = data.alignmentName ?? 'alignment'
  const sub = `Spearman ρ = ${data.rho == null ? '–' : data.rho.toFixed(2)}, p = ${fmtP(data.p)}, n = ${pts.length}`
  const o = baseOption(opts, `${alignName} vs ${data.capabilityName}`, sub)
  o.grid = { left: 70, right: 30, top: 62, bottom: 50 }
  o.xAxis = { type: 'value', name: data.capabilityName, nameLocation: 'middle', nameGap: 28, nameTextStyle: AXIS_NAME_STYLE, scale: true }
  o.yAxis = { type: 'value', name: alignName, nameLocation: 'middle', nameGap: 50, nameTextStyle: AXIS_NAME_STYLE, scale: true, axisLabel: { formatter: (v: number) => fmtNum(v) } }
  const series: unknown[] = [
    {
      type: 'scatter',
      name: 'models',
      symbolSize: 9,
      itemStyle: { color: PALETTE[0] },
      label: { show: pts.length <= 40, position: 'right', fontSize: 9, formatter: (p: { data: { name: string } }) => p.data.name },
      labelLayout: { hideOverlap: true },
      data: pts.map((p) => ({ name: p.model, value: [p.capability, p.alignment] })),
    },
  ]
  if (line && xs.length >= 2) {
    const lo = Math.min(...xs)
    const hi = Math.max(...xs)
    series.push({
      type: 'line',
      name: 'least-squares fit',
      showSymbol: false,
      silent: true,
      lineStyle: { color: ACCENT, width: 1.5, type: 'dashed' },
      data: [
        [lo, line.intercept + line.slope * lo],
        [hi, line.intercept + line.slope * hi],
      ],
    })
  }
  o.series = series as never
  return o
}
