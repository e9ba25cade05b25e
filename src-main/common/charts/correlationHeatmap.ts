import type { EChartsOption } from 'echarts'
import { heatmapOption } from './heatmapBase'
import { DIVERGING, type ChartOpts } from './theme'

export interface CorrelationData {
  labels: string[]
  /** Symmetric correlations in [−1, 1]. */
  matrix: (number | null)[][]
  title?: string
  subtitle?: string
}

/** (f) Correlation heatmap on a fixed −1..1 diverging scale (blue negative, red positive). */
export function correlationHeatmapOption(data: CorrelationData, opts: ChartOpts = {}): EChartsOption {
  return heatmapOption(
    {
      values: data.matrix,
      rowLabels: data.labels,
      colLabels: data.labels,
      rowName: '',
      colName: '',
      title: data.title ?? 'Spearman correlation between categories',
      subtitle: data.subtitle,
      ramp: DIVERGING,
      min: -1,
      max: 1,
      digits: 2,
      best: null,
      valueName: 'ρ',
    },
    opts,
  )
}
