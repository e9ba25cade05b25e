import type { EChartsOption } from 'echarts'
import { defaultLayerLabels } from './layerHeatmap'
import { AXIS_NAME_STYLE, baseOption, fmtNum, type ChartOpts } from './theme'

export interface LayerLinesData {
  matrix: (number | null)[][]
  rowModel: string
  colModel: string
  metric: string
  concat?: boolean
  rowLabels?: string[]
  colLabels?: string[]
  /** "row": one line per layer of the row model, plotted over the column model's depth; "col": transposed. */
  by?: 'row' | 'col'
  /** At most this many lines (evenly spaced layers, always keeping the last); default 10. */
  maxLines?: number
  chance?: number | null
}

/** Indices 0..n-1 thinned to at most `m`, evenly spaced, first and last kept. */
export function evenlySpaced(n: number, m: number): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i)
  const out = new Set<number>()
  for (let k = 0; k < m; k++) out.add(Math.round((k * (n - 1)) / (m - 1)))
  return [...out]
}

/** (c) Alignment vs depth: rows (or columns) of a layer × layer matrix as lines. */
export function layerLinesOption(data: LayerLinesData, opts: ChartOpts = {}): EChartsOption {
  const by = data.by ?? 'row'
  const rows = data.matrix.length
  const cols = rows ? data.matrix[0]!.length : 0
  const rowLabels = data.rowLabels ?? defaultLayerLabels(rows, !!data.concat)
  const colLabels = data.colLabels ?? defaultLayerLabels(cols, !!data.concat)
  const lineModel = by === 'row' ? data.rowModel : data.colModel
  const axisModel = by === 'row' ? data.colModel : data.rowModel
  const lineLabels = by === 'row' ? rowLabels : colLabels
  const axisLabels = by === 'row' ? colLabels : rowLabels
  const pick = evenlySpaced(lineLabels.length, data.maxLines ?? 10)
  const o = baseOption(opts, `${data.metric} vs depth of ${axisModel}`, `one line per ${lineModel} layer`)
  o.legend = { type: 'plain', bottom: 0, textStyle: { fontSize: 9 }, itemWidth: 14, itemHeight: 8 }
  o.grid = { left: 64, right: 70, top: 60, bottom: 76 }
  o.xAxis = { type: 'category', data: axisLabels, name: `${axisModel} layer`, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, boundaryGap: false }
  o.yAxis = { type: 'value', name: data.metric, nameLocation: 'middle', nameGap: 46, nameTextStyle: AXIS_NAME_STYLE, scale: true, axisLabel: { formatter: (v: number) => fmtNum(v) } }
  const chance = data.chance
  // Keep the chance level on the axis even when every score is far above it.
  if (chance != null && Number.isFinite(chance)) (o.yAxis as Record<string, unknown>).min = (v: { min: number }) => Math.min(v.min, chance)
  const series: unknown[] = pick.map((li) => ({
    type: 'line',
    name: `${lineModel} L${lineLabels[li]}`,
    showSymbol: axisLabels.length <= 30,
    symbolSize: 4,
    data: axisLabels.map((_, ai) => {
      const v = by === 'row' ? data.matrix[li]?.[ai] : data.matrix[ai]?.[li]
      return v === null || v === undefined || !Number.isFinite(v) ? null : v
    }),
  }))
  if (chance != null && Number.isFinite(chance) && series.length) {
    ;(series[0] as Record<string, unknown>).markLine = {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#777777' },
      label: { formatter: `chance ${fmtNum(chance)}`, fontSize: 9 },
      data: [{ yAxis: chance }],
    }
  }
  o.series = series as never
  return o
}
