import type { EChartsOption } from 'echarts'
import { AXIS_NAME_STYLE, baseOption, luminance, type ChartOpts } from './theme'

export interface ColourPoint {
  x: number
  y: number
  /** The colour this point stands for, "#rrggbb". */
  hex: string
  label?: string
}

export interface ColourScatterData {
  points: ColourPoint[]
  title?: string
  subtitle?: string
  xName?: string
  yName?: string
  showLabels?: boolean
}

/** (k) Colour-space embedding: each point drawn in its own colour (light ones outlined) with its name. */
export function colourScatterOption(data: ColourScatterData, opts: ChartOpts = {}): EChartsOption {
  const pts = data.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const labels = data.showLabels ?? pts.length <= 80
  const o = baseOption(opts, data.title ?? 'Colour embedding', data.subtitle)
  o.grid = { left: 50, right: 40, top: data.subtitle || opts.subtitle ? 60 : 44, bottom: 40 }
  o.xAxis = { type: 'value', name: data.xName ?? 'dim 1', nameLocation: 'middle', nameGap: 24, nameTextStyle: AXIS_NAME_STYLE, scale: true, splitLine: { show: false } }
  o.yAxis = { type: 'value', name: data.yName ?? 'dim 2', nameLocation: 'middle', nameGap: 34, nameTextStyle: AXIS_NAME_STYLE, scale: true, splitLine: { show: false } }
  o.series = [
    {
      type: 'scatter',
      name: 'colours',
      symbolSize: 12,
      label: labels ? { show: true, position: 'right', fontSize: 8, color: '#333333', formatter: '{b}' } : undefined,
      labelLayout: labels ? { hideOverlap: true } : undefined,
      data: pts.map((p) => ({
        name: p.label ?? p.hex,
        value: [p.x, p.y],
        // A near-white swatch vanishes on white paper without an outline.
        itemStyle: { color: p.hex, borderColor: luminance(p.hex) > 0.8 ? '#888888' : p.hex, borderWidth: 1 },
      })),
    },
  ]
  return o
}
