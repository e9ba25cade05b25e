import type { EChartsOption } from 'echarts'
import { ACCENT, AXIS_NAME_STYLE, SEQUENTIAL, baseOption, finiteRange, fmtNum, rampColor, textOn, type ChartOpts } from './theme'

export interface GridPoint {
  x: number
  y: number
  value: number
}

export interface MixtureGridData {
  xName: string
  yName: string
  valueName: string
  /** Observed cells; combinations not listed are drawn blank. */
  points: GridPoint[]
  /** Best observed cell (default the arg-max of `points`). */
  best?: GridPoint | null
  /** Fitted surface evaluated on a grid (any resolution); drawn as a second panel. */
  surface?: GridPoint[] | null
  /** Optimum of the fitted surface, marked on the surface panel. */
  optimum?: { x: number; y: number; predicted: number } | null
  fitLabel?: string
  digits?: number
}

function sortedUnique(v: number[]): number[] {
  return [...new Set(v.filter(Number.isFinite))].sort((a, b) => a - b)
}

/**
 * (g) Mixture grid (e.g. reasoning % × visual %): observed cells with values, missing cells blank and
 * the best cell marked; when a fitted surface is given, a second panel shows it on the same colour
 * scale with the fitted optimum marked, which reads like a filled contour plot.
 */
export function mixtureGridOption(data: MixtureGridData, opts: ChartOpts = {}): EChartsOption {
  const digits = data.digits ?? 1
  const xs = sortedUnique(data.points.map((p) => p.x))
  const ys = sortedUnique(data.points.map((p) => p.y))
  const all = [...data.points.map((p) => p.value), ...(data.surface ?? []).map((p) => p.value)]
  // One colour scale for both panels, so that a colour means the same value in each.
  const [lo, hi] = finiteRange(all)
  const best = data.best ?? data.points.reduce<GridPoint | null>((b, p) => (Number.isFinite(p.value) && (!b || p.value > b.value) ? p : b), null)
  const hasSurface = !!data.surface && data.surface.length > 0
  const sub = `best observed: ${data.xName} ${best?.x ?? '–'}, ${data.yName} ${best?.y ?? '–'} → ${fmtNum(best?.value, digits)}` + (data.optimum ? `; fitted optimum ${fmtNum(data.optimum.x, 1)}, ${fmtNum(data.optimum.y, 1)} → ${fmtNum(data.optimum.predicted, digits)}` : '')
  const o = baseOption(opts, `${data.valueName} by data mixture`, sub)
  const grids: unknown[] = [{ left: 56, right: hasSurface ? '54%' : 80, top: 66, bottom: 46 }]
  if (hasSurface) grids.push({ left: '56%', right: 80, top: 66, bottom: 46 })
  o.grid = grids as never
  const xAxes: unknown[] = [{ type: 'category', gridIndex: 0, data: xs.map(String), name: data.xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, axisLabel: { fontSize: 9, interval: 0 } }]
  const yAxes: unknown[] = [{ type: 'category', gridIndex: 0, data: ys.map(String), name: data.yName, nameLocation: 'middle', nameGap: 34, nameTextStyle: AXIS_NAME_STYLE, axisLabel: { fontSize: 9 } }]
  const cells = data.points
    .filter((p) => Number.isFinite(p.value))
    .map((p) => {
      const isBest = best !== null && p.x === best.x && p.y === best.y
      const fill = rampColor(SEQUENTIAL, (p.value - lo) / (hi - lo || 1))
      return {
        value: [xs.indexOf(p.x), ys.indexOf(p.y), p.value],
        label: { show: true, fontSize: 9, color: textOn(fill), fontWeight: isBest ? 'bold' : 'normal', formatter: (isBest ? '★' : '') + fmtNum(p.value, digits) },
        itemStyle: isBest ? { borderColor: ACCENT, borderWidth: 3 } : { borderColor: '#ffffff', borderWidth: 1 },
      }
    })
  const series: unknown[] = [{ type: 'heatmap', name: 'observed', xAxisIndex: 0, yAxisIndex: 0, data: cells }]
  const titles: unknown[] = [o.title]
  if (hasSurface) {
    const sx = sortedUnique(data.surface!.map((p) => p.x))
    const sy = sortedUnique(data.surface!.map((p) => p.y))
    xAxes.push({ type: 'value', gridIndex: 1, min: sx[0], max: sx[sx.length - 1], name: data.xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME_STYLE, axisLabel: { fontSize: 9 } })
    yAxes.push({ type: 'value', gridIndex: 1, min: sy[0], max: sy[sy.length - 1], name: data.yName, nameLocation: 'middle', nameGap: 34, nameTextStyle: AXIS_NAME_STYLE, axisLabel: { fontSize: 9 } })
    // Each fitted value as a filled rectangle the size of one surface step, drawn by a custom series
    // (a value-axis heatmap needs cells of uniform size in pixels, which this computes itself).
    const dx = sx.length > 1 ? (sx[sx.length - 1]! - sx[0]!) / (sx.length - 1) : 1
    const dy = sy.length > 1 ? (sy[sy.length - 1]! - sy[0]!) / (sy.length - 1) : 1
    series.push({
      type: 'custom',
      name: 'fitted surface',
      xAxisIndex: 1,
      yAxisIndex: 1,
      silent: true,
      renderItem: (_p: unknown, api: { value(d: number): number; coord(v: [number, number]): [number, number] }) => {
        const x = api.value(0)
        const y = api.value(1)
        const v = api.value(2)
        const a = api.coord([Math.max(sx[0]!, x - dx / 2), Math.min(sy[sy.length - 1]!, y + dy / 2)])
        const b = api.coord([Math.min(sx[sx.length - 1]!, x + dx / 2), Math.max(sy[0]!, y - dy / 2)])
        return { type: 'rect', shape: { x: a[0], y: a[1], width: b[0] - a[0] + 0.5, height: b[1] - a[1] + 0.5 }, style: { fill: rampColor(SEQUENTIAL, (v - lo) / (hi - lo || 1)) } }
      },
      encode: { x: 0, y: 1 },
      data: data.surface!.filter((p) => Number.isFinite(p.value)).map((p) => [p.x, p.y, p.value]),
    })
    if (data.optimum) {
      series.push({
        type: 'scatter',
        name: 'fitted optimum',
        xAxisIndex: 1,
        yAxisIndex: 1,
        symbol: 'diamond',
        symbolSize: 12,
        itemStyle: { color: ACCENT, borderColor: '#ffffff', borderWidth: 1 },
        label: { show: true, position: 'top', fontSize: 9, fontWeight: 'bold', color: '#111111', backgroundColor: '#ffffff', padding: [1, 3], formatter: `optimum ${fmtNum(data.optimum.predicted, digits)}` },
        data: [[data.optimum.x, data.optimum.y]],
      })
    }
    titles.push({ text: data.fitLabel ?? 'fitted surface', left: '73%', top: 46, textAlign: 'center', textStyle: { fontSize: 11, fontWeight: 'normal' } })
    titles.push({ text: 'observed', left: '26%', top: 46, textAlign: 'center', textStyle: { fontSize: 11, fontWeight: 'normal' } })
  }
  o.title = titles as never
  o.xAxis = xAxes as never
  o.yAxis = yAxes as never
  o.visualMap = { type: 'continuous', min: lo, max: hi, dimension: 2, seriesIndex: 0, show: true, orient: 'vertical', right: 8, top: 'middle', itemHeight: 110, itemWidth: 12, calculable: !opts.print, text: [fmtNum(hi, digits), fmtNum(lo, digits)], textStyle: { fontSize: 9 }, inRange: { color: SEQUENTIAL } }
  o.series = series as never
  return o
}
