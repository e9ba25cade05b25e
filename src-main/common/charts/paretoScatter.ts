import type { EChartsOption } from 'echarts'
import { paretoFront } from './fit'
import { ACCENT, AXIS_NAME_STYLE, PALETTE, baseOption, type ChartOpts } from './theme'

export interface ParetoData {
  points: { label: string; x: number; y: number }[]
  xName: string
  yName: string
  /** Which direction is better on each axis; default both maximised. */
  maximizeX?: boolean
  maximizeY?: boolean
  title?: string
}

/** (i) Trade-off scatter (e.g. text accuracy vs VQA accuracy per recipe) with the Pareto front drawn as a step line. */
export function paretoScatterOption(data: ParetoData, opts: ChartOpts = {}): EChartsOption {
  const front = paretoFront(data.points, data.maximizeX ?? true, data.maximizeY ?? true)
  const onFront = new Set(front)
  const o = baseOption(opts, data.title ?? `${data.yName} vs ${data.xName}`, `Pareto front: ${front.map((p) => p.label).join(', ')}`)
  o.legend = { bottom: 0, textStyle: { fontSize: 10 }, itemWidth: 14, itemHeight: 8 }
  o.grid = { left: 64, right: 56, top: 62, bottom: 62 }
  o.xAxis = { type: 'value', name: data.xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, scale: true }
  o.yAxis = { type: 'value', name: data.yName, nameLocation: 'middle', nameGap: 44, nameTextStyle: AXIS_NAME_STYLE, scale: true }
  const label = { show: true, position: 'right' as const, fontSize: 9, formatter: (p: { data: { name: string } }) => p.data.name }
  o.series = [
    {
      type: 'scatter',
      name: 'dominated',
      symbolSize: 8,
      itemStyle: { color: PALETTE[0] },
      label,
      labelLayout: { hideOverlap: false, moveOverlap: 'shiftY' },
      data: data.points.filter((p) => !onFront.has(p)).map((p) => ({ name: p.label, value: [p.x, p.y] })),
    },
    {
      type: 'scatter',
      name: 'Pareto-optimal',
      symbol: 'diamond',
      symbolSize: 11,
      itemStyle: { color: ACCENT },
      label: { ...label, fontWeight: 'bold' },
      labelLayout: { moveOverlap: 'shiftY' },
      data: front.map((p) => ({ name: p.label, value: [p.x, p.y] })),
    },
    {
      type: 'line',
      name: 'Pareto front',
      step: (data.maximizeX ?? true) === (data.maximizeY ?? true) ? 'end' : 'start',
      showSymbol: false,
      silent: true,
      lineStyle: { color: ACCENT, type: 'dashed', width: 1.2 },
      itemStyle: { color: ACCENT },
      data: front.map((p) => [p.x, p.y]),
    },
  ] as never
  return o
}
