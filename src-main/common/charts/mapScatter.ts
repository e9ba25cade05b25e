import type { EChartsOption } from 'echarts'
import { AXIS_NAME_STYLE, PALETTE, baseOption, type ChartOpts } from './theme'

export interface MapPoint {
  x: number
  y: number
  label?: string
  category?: string
}

export interface MapScatterData {
  points: MapPoint[]
  title?: string
  subtitle?: string
  xName?: string
  yName?: string
  /** Print point labels; default only when there are at most 60 points. */
  showLabels?: boolean
}

/** Above this many points a series uses ECharts' `large` mode (batched drawing, no per-point labels). */
export const LARGE_THRESHOLD = 5000

/** (j) 2-D map (UMAP/MDS/PCA of items or models): one series per category, so the legend names the colours. */
export function mapScatterOption(data: MapScatterData, opts: ChartOpts = {}): EChartsOption {
  const pts = data.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const groups = new Map<string, MapPoint[]>()
  for (const p of pts) {
    const c = p.category ?? 'items'
    let g = groups.get(c)
    if (!g) groups.set(c, (g = []))
    g.push(p)
  }
  const large = pts.length > LARGE_THRESHOLD
  const labels = !large && (data.showLabels ?? pts.length <= 60)
  const o = baseOption(opts, data.title ?? 'Map', data.subtitle ?? `${pts.length} points`)
  o.legend = groups.size > 1 ? { type: opts.print ? 'plain' : 'scroll', bottom: 0, textStyle: { fontSize: 9 }, itemWidth: 10, itemHeight: 10 } : undefined
  o.grid = { left: 50, right: 30, top: 56, bottom: groups.size > 1 ? 64 : 40 }
  o.xAxis = { type: 'value', name: data.xName ?? 'dim 1', nameLocation: 'middle', nameGap: 24, nameTextStyle: AXIS_NAME_STYLE, scale: true, splitLine: { show: false } }
  o.yAxis = { type: 'value', name: data.yName ?? 'dim 2', nameLocation: 'middle', nameGap: 34, nameTextStyle: AXIS_NAME_STYLE, scale: true, splitLine: { show: false } }
  o.series = [...groups.entries()].map(([name, g], i) => ({
    type: 'scatter' as const,
    name,
    large,
    largeThreshold: LARGE_THRESHOLD,
    symbolSize: large ? 3 : pts.length > 500 ? 4 : 7,
    itemStyle: { color: PALETTE[i % PALETTE.length], opacity: large ? 0.6 : 0.85 },
    label: labels ? { show: true, position: 'right' as const, fontSize: 8, formatter: '{b}' } : undefined,
    labelLayout: labels ? { hideOverlap: true } : undefined,
    data: large ? g.map((p) => [p.x, p.y]) : g.map((p) => ({ name: p.label ?? '', value: [p.x, p.y] })),
  }))
  return o
}
