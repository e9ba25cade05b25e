import type { EChartsOption } from 'echarts'
import { argmax2, heatmapOption } from './heatmapBase'
import type { ChartOpts } from './theme'

export interface LayerHeatmapData {
  /** matrix[i][j]: score between layer i of model A and layer j of model B. */
  matrix: (number | null)[][]
  rowModel: string
  colModel: string
  metric: string
  /** Layer labels; default "0", "1", ... (or "concat", "0", ... when `concat`). */
  rowLabels?: string[]
  colLabels?: string[]
  /** Row and column 0 stand for the all-layers concatenation (`--layers max+concat`). */
  concat?: boolean
  /** [row, col] in matrix indices; default the arg-max. */
  best?: [number, number] | null
}

export function defaultLayerLabels(n: number, concat: boolean): string[] {
  return Array.from({ length: n }, (_, i) => (concat ? (i === 0 ? 'concat' : String(i - 1)) : String(i)))
}

/** (b) Layer × layer alignment heatmap of one model pair with the chosen (best) layer pair marked. */
export function layerHeatmapOption(data: LayerHeatmapData, opts: ChartOpts = {}): EChartsOption {
  const rows = data.matrix.length
  const cols = rows ? data.matrix[0]!.length : 0
  const rowLabels = data.rowLabels ?? defaultLayerLabels(rows, !!data.concat)
  const colLabels = data.colLabels ?? defaultLayerLabels(cols, !!data.concat)
  const best = data.best === undefined ? argmax2(data.matrix) : data.best
  const bestText = best ? `best: ${data.rowModel} layer ${rowLabels[best[0]]} × ${data.colModel} layer ${colLabels[best[1]]}` : ''
  return heatmapOption(
    {
      values: data.matrix,
      rowLabels,
      colLabels,
      rowName: `${data.rowModel} layer`,
      colName: `${data.colModel} layer`,
      title: `${data.metric}: ${data.rowModel} × ${data.colModel}`,
      subtitle: bestText,
      best,
      valueName: data.metric,
    },
    opts,
  )
}
