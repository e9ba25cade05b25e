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
  /** Values are calibrated scores s_cal (title and subtitle say so); `marks` flag the significant ones. */
  calibrated?: boolean
  marks?: (string | null)[][]
}

/** (a) Model × model alignment matrix: scores printed in cells, the best off-diagonal pair marked. */
export function modelMatrixOption(data: ModelMatrixData, opts: ChartOpts = {}): EChartsOption {
  const offDiag = data.values.map((row, i) => row.map((v, j) => (i === j ? null : v)))
  const best = argmax2(offDiag)
  const sub = data.calibrated
    ? // Two short lines: one long line is cut at both ends in a report-width chart.
      's_cal = max((T − τ)/(1 − τ), 0) against the layer search\'s permutation null\n* significant after Benjamini–Hochberg; best pair ★'
    : data.chance != null && Number.isFinite(data.chance)
      ? `best pair marked ★; chance ≈ ${data.chance.toPrecision(3)}`
      : 'best pair marked ★'
  return heatmapOption(
    {
      values: data.values,
      rowLabels: data.labels,
      colLabels: data.labels,
      rowName: 'model',
      colName: 'model',
      title: `Alignment between models (${data.metric}${data.calibrated ? ', calibrated' : ''})`,
      subtitle: sub,
      best,
      valueName: data.calibrated ? `${data.metric} (calibrated)` : data.metric,
      marks: data.marks,
      ...(data.calibrated ? { min: 0, max: 1 } : {}),
    },
    opts,
  )
}
