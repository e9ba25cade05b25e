import type { EChartsOption } from 'echarts'
import { ACCENT, AXIS_NAME_STYLE, SEQUENTIAL, baseOption, finiteRange, fmtNum, rampColor, textOn, type ChartOpts } from './theme'

/** A matrix drawn as a category heatmap; row 0 at the top, as in a printed table. */
export interface HeatmapSpec {
  values: (number | null)[][]
  rowLabels: string[]
  colLabels: string[]
  rowName: string
  colName: string
  title: string
  subtitle?: string
  /** [row, col] of the cell to mark (border in the accent colour, bold label). */
  best?: [number, number] | null
  ramp?: string[]
  /** Fixed colour scale; default the finite range of the values. */
  min?: number
  max?: number
  digits?: number
  /** Print every cell's value; default only when there are at most 144 cells. */
  cellLabels?: boolean
  /** Name for the colour bar. */
  valueName?: string
  /** Text appended to a cell's label (e.g. "*" for a significant score), same shape as `values`. */
  marks?: (string | null)[][]
}

/**
 * Cells as explicit data items so that each carries its own label colour (white on dark fills) and the
 * best cell its marker; missing (null/NaN) cells are simply absent, i.e. drawn blank.
 */
export function heatmapOption(spec: HeatmapSpec, opts: ChartOpts = {}): EChartsOption {
  const ramp = spec.ramp ?? SEQUENTIAL
  const flat = spec.values.flat()
  const [lo0, hi0] = finiteRange(flat)
  const lo = spec.min ?? lo0
  const hi = spec.max ?? hi0
  const nCells = spec.rowLabels.length * spec.colLabels.length
  const showAll = spec.cellLabels ?? nCells <= 144
  const digits = spec.digits ?? 3
  const best = spec.best ?? null
  const data: unknown[] = []
  spec.values.forEach((row, i) => {
    row.forEach((v, j) => {
      if (v === null || v === undefined || !Number.isFinite(v)) return
      const isBest = best !== null && best[0] === i && best[1] === j
      const fill = rampColor(ramp, (v - lo) / (hi - lo || 1))
      const mark = spec.marks?.[i]?.[j] ?? ''
      data.push({
        value: [j, i, v],
        label: {
          show: showAll || isBest,
          color: textOn(fill),
          fontWeight: isBest ? 'bold' : 'normal',
          fontSize: nCells > 64 ? 8 : 10,
          formatter: `${isBest ? '★' : ''}${fmtNum(v, digits)}${mark}`,
        },
        itemStyle: isBest ? { borderColor: ACCENT, borderWidth: 3 } : { borderColor: '#ffffff', borderWidth: 1 },
      })
    })
  })
  const o = baseOption(opts, spec.title, spec.subtitle)
  const manyCols = spec.colLabels.length > 12
  const subtitle = spec.subtitle || opts.subtitle
  o.grid = { left: 90, right: 80, top: subtitle ? 44 + 18 * subtitle.split('\n').length : 44, bottom: manyCols ? 70 : 56, containLabel: false }
  o.xAxis = {
    type: 'category',
    data: spec.colLabels,
    name: spec.colName,
    nameLocation: 'middle',
    nameGap: manyCols ? 44 : 30,
    nameTextStyle: AXIS_NAME_STYLE,
    axisLabel: { fontSize: 9, rotate: manyCols ? 60 : spec.colLabels.some((l) => l.length > 8) ? 30 : 0, interval: 0 },
    splitArea: { show: false },
    axisTick: { show: false },
  }
  o.yAxis = {
    type: 'category',
    data: spec.rowLabels,
    name: spec.rowName,
    nameLocation: 'middle',
    nameGap: 70,
    nameTextStyle: AXIS_NAME_STYLE,
    inverse: true,
    axisLabel: { fontSize: 9, interval: 0, width: 62, overflow: 'truncate' },
    axisTick: { show: false },
  }
  o.visualMap = {
    type: 'continuous',
    min: lo,
    max: hi,
    dimension: 2,
    seriesIndex: 0,
    calculable: !opts.print,
    orient: 'vertical',
    right: 8,
    top: 'middle',
    itemHeight: 120,
    itemWidth: 12,
    text: [fmtNum(hi, digits), fmtNum(lo, digits)],
    textStyle: { fontSize: 9 },
    inRange: { color: ramp },
  }
  o.series = [{ type: 'heatmap', name: spec.valueName ?? spec.title, data: data as never, emphasis: { disabled: !!opts.print } }]
  return o
}

/** [row, col] of the largest finite value, or null. */
export function argmax2(values: (number | null)[][]): [number, number] | null {
  let best: [number, number] | null = null
  let bv = -Infinity
  values.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v !== null && Number.isFinite(v) && v > bv) {
        bv = v
        best = [i, j]
      }
    }),
  )
  return best
}
