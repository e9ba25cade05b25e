import type { EChartsOption } from 'echarts'
import { ACCENT, AXIS_NAME_STYLE, PALETTE, baseOption, fmtNum, type ChartOpts } from './theme'

export interface ConfounderPoint {
  /** "A × B". */
  pair: string
  /** The confounder: number of layer pairs searched, or the smaller feature width. */
  x: number
  raw: number
  /** τ and the mean of the permutation null: what size and layer search give with nothing aligned. */
  threshold: number
  nullMean: number
}

export interface ConfoundersData {
  points: ConfounderPoint[]
  xName: string
  metric: string
  /** Logarithmic x axis (layer pairs and widths span orders of magnitude). */
  logX?: boolean
  title?: string
}

/**
 * Raw score, null threshold τ and null mean of every calibrated pair against a size confounder: the
 * gap between a pair's raw score and its τ is the part not explained by width and layer search alone.
 */
export function confoundersOption(data: ConfoundersData, opts: ChartOpts = {}): EChartsOption {
  const pts = data.points.filter((p) => Number.isFinite(p.x) && p.x > 0)
  const o = baseOption(opts, data.title ?? `${data.metric}: null threshold against ${data.xName}`, 'dots: raw score; diamonds: τ; rings: null mean (per pair)')
  o.grid = { left: 62, right: 24, top: 62, bottom: 64 }
  o.legend = { bottom: 0, textStyle: { fontSize: 10 }, itemWidth: 12, itemHeight: 8 }
  o.xAxis = { type: data.logX ? 'log' : 'value', name: data.xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, scale: true }
  o.yAxis = { type: 'value', name: data.metric, nameLocation: 'middle', nameGap: 44, nameTextStyle: AXIS_NAME_STYLE, scale: true, axisLabel: { formatter: (v: number) => fmtNum(v, 2) } }
  const series = (name: string, key: 'raw' | 'threshold' | 'nullMean', symbol: string, color: string) => ({
    type: 'scatter',
    name,
    symbol,
    symbolSize: key === 'raw' ? 9 : 10,
    itemStyle: key === 'nullMean' ? { color: 'transparent', borderColor: color, borderWidth: 1.5 } : { color },
    data: pts.map((p) => ({ name: p.pair, value: [p.x, p[key]] })),
  })
  o.series = [series('raw score', 'raw', 'circle', PALETTE[0]!), series('threshold τ', 'threshold', 'diamond', ACCENT), series('null mean', 'nullMean', 'circle', '#666666')] as never
  return o
}
