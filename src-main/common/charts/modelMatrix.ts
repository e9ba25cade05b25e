import type { EChartsOption } from 'echarts'
import { argmax2, heatmapOption } from './heatmapBase'
import type { ChartOpts } from './theme'

export interface ModelMatrixData {
  /** Model names, the same order on both axes. */
  labels: string[]
  /** values[i][j]: score between model i and model j (null: not computed; the diagonal usually null). */
  values: (number | null)[][]
  /** Metric name, e.g. "mutual_knn". */
  metric: string
  /** Chance level of the metric, shown in the subtitle when known. */
  chance?: number | null
}

/** (a) Model × model alignment matrix: scores printed in cells, the best off-diagonal pair marked. */
export function modelMatrixOption(data: ModelMatrixData, opts: ChartOpts = {}): EChartsOption {
  const offDiag = data.values.map((row, i) => row.map((v, j) => (i === j ? null : v)))
  const best = argmax2(offDiag)
  const sub = data.chance != null && Number.isFinite(data.chance) ? `best pair marked ★; chance ≈ ${data.chance.toPrecision(3)}` : 'best pair marked ★'
  return heatmapOption(
    {
      values: data.values,
      rowLabels: data.labels,
      colLabels: data.labels,
      rowName: 'model',
      colName: 'model',
      title: `Alignment between models (${data.metric})`,
      subtitle: sub,
      best,
      valueName: data.metric,
    },
    opts,
  )
}
