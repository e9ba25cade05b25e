import type { EChartsOption } from 'echarts'
import * as echarts from 'echarts/core'
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

// Only what the chart builders in src-main/common/charts use; keeps the SSR bundle small.
echarts.use([
  BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart,
  GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent, VisualMapComponent,
  SVGRenderer,
])

let counter = 0

/**
 * Renders an option to a standalone SVG string with ECharts' server-side renderer. Animation is forced
 * off (SSR would otherwise emit CSS keyframes). Element ids are prefixed with a per-call token so that
 * several charts inlined in one HTML page do not resolve each other's clip paths and gradients.
 */
export function renderChartSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  let svg: string
  try {
    chart.setOption({ ...option, animation: false })
    svg = chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
  return uniquifySvgIds(svg, `c${++counter}-`)
}

/** Prefix every `id="…"` and its references (`url(#…)`, `href="#…"`) with `prefix`. */
export function uniquifySvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`)
}
