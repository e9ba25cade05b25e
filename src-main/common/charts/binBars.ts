import type { EChartsOption } from 'echarts'
import { AXIS_NAME_STYLE, PALETTE, baseOption, type ChartOpts } from './theme'

export interface BinBarsData {
  /** Bin names in display order, e.g. ["0-30", "30-60", "60-100"]. */
  bins: string[]
  /** Per model, per bin (same order as `bins`): accuracy in [0, 1] and its 95% interval (Wilson), or null. */
  models: { name: string; bins: ({ acc: number; ci95?: [number, number] | null } | null)[] }[]
  /** Chance accuracy as a fraction; default 0.25 (four-way multiple choice). Null hides the line. */
  chance?: number | null
  xName?: string
  yName?: string
  title?: string
}

// Fixed bar geometry so the whisker custom series can find each bar's centre (ECharts' own layout:
// bar width w = band·(1−catGap) / (n + (n−1)·barGap), bars laid left to right with gaps of w·barGap).
const CAT_GAP = 0.3
const BAR_GAP = 0.15

/** Offset of series s's bar centre from the band centre, as a fraction of the band width. */
export function barCentreOffset(s: number, n: number): number {
  const inner = 1 - CAT_GAP
  const w = inner / (n + (n - 1) * BAR_GAP)
  return -inner / 2 + s * w * (1 + BAR_GAP) + w / 2
}

interface WhiskerApi {
  value(dim: number): number
  coord(v: [number, number]): [number, number]
  size(v: [number, number]): [number, number]
}

/** (e) Accuracy by bin, one bar per model, Wilson 95% whiskers and a dashed chance line (in %). */
export function binBarsOption(data: BinBarsData, opts: ChartOpts = {}): EChartsOption {
  const n = data.models.length
  const o = baseOption(opts, data.title ?? 'Accuracy by object size', 'bars: accuracy; whiskers: Wilson 95% interval')
  o.legend = { data: data.models.map((m) => m.name), bottom: 0, textStyle: { fontSize: 10 }, itemWidth: 14, itemHeight: 9 }
  o.grid = { left: 60, right: 74, top: 62, bottom: 70 }
  o.xAxis = { type: 'category', data: data.bins, name: data.xName ?? 'object size (% of image)', nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE }
  o.yAxis = { type: 'value', min: 0, max: 100, name: data.yName ?? 'accuracy (%)', nameLocation: 'middle', nameGap: 38, nameTextStyle: AXIS_NAME_STYLE }
  const series: unknown[] = []
  data.models.forEach((m, s) => {
    series.push({
      type: 'bar',
      name: m.name,
      barCategoryGap: `${CAT_GAP * 100}%`,
      barGap: `${BAR_GAP * 100}%`,
      itemStyle: { color: PALETTE[s % PALETTE.length] },
      label: { show: n * data.bins.length <= 24, position: 'insideBottom', fontSize: 8, color: '#ffffff', formatter: (p: { value: number }) => (p.value == null ? '' : p.value.toFixed(1)) },
      data: m.bins.map((b) => (b && Number.isFinite(b.acc) ? +(b.acc * 100).toFixed(4) : null)),
    })
  })
  data.models.forEach((m, s) => {
    const offset = barCentreOffset(s, n)
    series.push({
      type: 'custom',
      name: m.name,
      silent: true,
      z: 10,
      renderItem: (_params: unknown, api: WhiskerApi) => {
        const xi = api.value(0)
        const lo = api.coord([xi, api.value(1)])
        const hi = api.coord([xi, api.value(2)])
        const band = api.size([1, 0])[0]
        const x = lo[0] + offset * band
        const cap = Math.max(2, (band * 0.7) / (n + (n - 1) * BAR_GAP) / 4)
        const style = { stroke: '#222222', lineWidth: 1 }
        return {
          type: 'group',
          children: [
            { type: 'line', shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style },
            { type: 'line', shape: { x1: x - cap, y1: lo[1], x2: x + cap, y2: lo[1] }, style },
            { type: 'line', shape: { x1: x - cap, y1: hi[1], x2: x + cap, y2: hi[1] }, style },
          ],
        }
      },
      encode: { x: 0, y: [1, 2] },
      data: m.bins.flatMap((b, i) => (b && b.ci95 && b.ci95.every(Number.isFinite) ? [[i, b.ci95[0] * 100, b.ci95[1] * 100]] : [])),
    })
  })
  const chance = data.chance === undefined ? 0.25 : data.chance
  if (chance != null && series.length) {
    ;(series[0] as Record<string, unknown>).markLine = {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#555555', width: 1.2 },
      label: { formatter: `chance ${+(chance * 100).toFixed(1)}%`, position: 'end', fontSize: 9 },
      data: [{ yAxis: chance * 100 }],
    }
  }
  o.series = series as never
  return o
}
