import { describe, expect, it } from 'vitest'
import {
  binBarsOption, capabilityScatterOption, colourScatterOption, correlationHeatmapOption, layerHeatmapOption, layerLinesOption,
  mapScatterOption, mixtureGridOption, modelMatrixOption, paretoScatterOption, shareScoreOption, LARGE_THRESHOLD,
} from '../../../src-main/common/charts'
import { renderChartSvg } from '../../../src-main/core/report/renderSvg'

// Each builder is checked through the SVG that ECharts' server-side renderer makes of its option: the
// printed text (titles, axis names, cell values, best markers) must be there as real SVG text.
const svgOf = (o: Parameters<typeof renderChartSvg>[0], w = 600, h = 400) => renderChartSvg(o, w, h)

describe('chart builders render to SVG with their labels', () => {
  it('(a) model matrix prints scores and marks the best off-diagonal pair', () => {
    const o = modelMatrixOption({ labels: ['vit', 'gpt', 'llama'], values: [[null, 0.153, 0.12], [0.153, null, 0.301], [0.12, 0.301, null]], metric: 'mutual_knn', chance: 0.0098 }, { print: true })
    const s = svgOf(o)
    expect(s).toContain('★0.301')
    expect(s).toContain('0.153')
    expect(s).toContain('Alignment between models (mutual_knn)')
    expect(s).toContain('chance ≈ 0.00980')
    expect(s).not.toContain('★0.153')
    expect(o.animation).toBe(false)
    expect(o.tooltip).toBeUndefined()
  })

  it('(a) calibrated model matrix: a two-line subtitle that fits, with the plot moved down to clear it', () => {
    const one = modelMatrixOption({ labels: ['a', 'b'], values: [[null, 0.5], [0.5, null]], metric: 'mutual_knn' }, { print: true })
    const cal = modelMatrixOption({ labels: ['a', 'b'], values: [[null, 0.5], [0.5, null]], metric: 'mutual_knn', calibrated: true }, { print: true })
    const s = svgOf(cal, 540, 380)
    // Each line is its own SVG text: the whole sentence on one line was cut at both ends in a 540 px chart.
    expect(s).toContain('>s_cal = max((T − τ)/(1 − τ), 0) against the layer search&#39;s permutation null</text>')
    expect(s).toContain('>* significant after Benjamini–Hochberg; best pair ★</text>')
    const top = (o: typeof one) => (o.grid as { top: number }).top
    expect(top(cal) - top(one)).toBe(18)
  })

  it('(a) interactive mode keeps tooltips and animation', () => {
    const o = modelMatrixOption({ labels: ['a', 'b'], values: [[null, 0.5], [0.5, null]], metric: 'cka' })
    expect(o.tooltip).toBeDefined()
    expect(o.animation).toBe(true)
  })

  it('(b) layer heatmap: concat labels, best cell marked at the given index', () => {
    const m = [[0.2, 0.1, 0.1], [0.1, 0.15, 0.12], [0.1, 0.12, 0.18]]
    const s = svgOf(layerHeatmapOption({ matrix: m, rowModel: 'A', colModel: 'B', metric: 'mutual_knn', concat: true, best: [2, 2] }, { print: true }))
    expect(s).toContain('concat')
    expect(s).toContain('★0.180')
    expect(s).toContain('A layer')
    expect(s).toContain('B layer')
    expect(s).toContain('best: A layer 1 × B layer 1')
  })

  it('(c) layer lines: one named line per row layer, axis names and chance line', () => {
    const m = [[0.1, 0.2, 0.3], [0.15, 0.25, 0.35]]
    const o = layerLinesOption({ matrix: m, rowModel: 'A', colModel: 'B', metric: 'mutual_knn', chance: 0.01 }, { print: true })
    expect((o.series as unknown[]).length).toBe(2)
    const s = svgOf(o)
    expect(s).toContain('A L0')
    expect(s).toContain('A L1')
    expect(s).toContain('B layer')
    expect(s).toContain('chance 0.010')
    const t = layerLinesOption({ matrix: m, rowModel: 'A', colModel: 'B', metric: 'x', by: 'col' }, { print: true })
    expect((t.series as { data: number[] }[])[2]!.data).toEqual([0.3, 0.35])
  })

  it('(d) capability scatter: labels, Spearman subtitle, least-squares line through exact data', () => {
    const pts = [1, 2, 3, 4].map((c) => ({ model: `m${c}`, capability: c, alignment: 0.1 + 0.02 * c }))
    const o = capabilityScatterOption({ points: pts, capabilityName: 'MMLU', rho: 1, p: 0.0417 }, { print: true })
    const s = svgOf(o)
    expect(s).toContain('Spearman ρ = 1.00, p = 0.042, n = 4')
    expect(s).toContain('m3')
    expect(s).toContain('MMLU')
    const line = (o.series as { name: string; data: number[][] }[]).find((x) => x.name === 'least-squares fit')!
    expect(line.data[0]![1]).toBeCloseTo(0.12, 12)
    expect(line.data[1]![1]).toBeCloseTo(0.18, 12)
  })

  it('(e) bin bars: accuracy in %, chance line at 25%, one whisker per bin with an interval', () => {
    const o = binBarsOption({ bins: ['0-30', '30-60'], models: [{ name: 'gpt-5', bins: [{ acc: 0.7363, ci95: [0.70, 0.77] }, { acc: 0.9069, ci95: [0.88, 0.93] }] }, { name: 'other', bins: [null, { acc: 0.5, ci95: null }] }] }, { print: true })
    const series = o.series as { type: string; data: unknown[]; markLine?: { data: { yAxis: number }[] } }[]
    expect(series[0]!.data).toEqual([73.63, 90.69])
    expect(series[0]!.markLine!.data[0]!.yAxis).toBe(25)
    expect(series.filter((x) => x.type === 'custom').map((x) => x.data.length)).toEqual([2, 0])
    const s = svgOf(o)
    expect(s).toContain('chance 25%')
    expect(s).toContain('accuracy (%)')
    expect(s).toContain('gpt-5')
    // the whiskers are drawn: the custom series adds line paths in the text colour
    expect((s.match(/stroke="#222"/g) ?? []).length + (s.match(/stroke="#222222"/g) ?? []).length).toBeGreaterThanOrEqual(6)
  })

  it('(f) correlation heatmap uses a fixed −1..1 scale and two decimals', () => {
    const o = correlationHeatmapOption({ labels: ['general', 'knowledge'], matrix: [[1, -0.03], [-0.03, 1]] }, { print: true })
    const vm = o.visualMap as { min: number; max: number }
    expect([vm.min, vm.max]).toEqual([-1, 1])
    const s = svgOf(o)
    expect(s).toContain('-0.03')
    expect(s).toContain('knowledge')
  })

  it('(g) mixture grid: missing cells blank, best cell marked, surface panel with optimum', () => {
    const points = [
      { x: 50, y: 5, value: 30.7 }, { x: 60, y: 15, value: 32.7 }, { x: 60, y: 5, value: 31.9 }, { x: 50, y: 15, value: 31.8 },
      { x: 60, y: 30, value: 31.6 },
    ]
    const surface = [50, 55, 60].flatMap((x) => [5, 15, 30].map((y) => ({ x, y, value: 31 + 0.01 * x })))
    const o = mixtureGridOption({ xName: 'reasoning %', yName: 'visual %', valueName: 'avg VQA', points, surface, optimum: { x: 58, y: 14, predicted: 32.6 } }, { print: true })
    const heat = (o.series as { type: string; data: unknown[] }[])[0]!
    expect(heat.data.length).toBe(5) // 2 × 3 categories but only 5 observed
    const s = svgOf(o, 680, 360)
    expect(s).toContain('★32.7')
    expect(s).toContain('optimum 32.6')
    expect(s).toContain('reasoning %')
    expect(s).toContain('best observed: reasoning % 60, visual % 15 → 32.7')
  })

  it('(h) share-score lines sort by x and mark the peak', () => {
    const o = shareScoreOption({ xName: 'reasoning %', yName: 'alignment', series: [{ name: 'mean', points: [[75, 0.052], [25, 0.0508], [50, 0.0512]] }], markPeak: true, digits: 4 }, { print: true })
    const ser = (o.series as { data: number[][] }[])[0]!
    expect(ser.data.map((p) => p[0])).toEqual([25, 50, 75])
    const s = svgOf(o)
    expect(s).toContain('0.0520')
    expect(s).toContain('reasoning %')
  })

  it('(i) Pareto scatter names the front in the subtitle', () => {
    const pts = [{ label: 'mix0', x: 53.0, y: 32.4 }, { label: 'mix6', x: 52.7, y: 33.3 }, { label: 'mix10', x: 52.1, y: 33.4 }, { label: 'mix3', x: 52.5, y: 32.9 }]
    const s = svgOf(paretoScatterOption({ points: pts, xName: 't_acc', yName: 'v_acc' }, { print: true }))
    expect(s).toContain('Pareto front: mix10, mix6, mix0')
    expect(s).toContain('mix3')
  })

  it('(j) map scatter: series per category, large mode above the threshold', () => {
    const small = mapScatterOption({ points: [{ x: 0, y: 0, label: 'a', category: 'circle' }, { x: 1, y: 1, label: 'b', category: 'square' }] }, { print: true })
    expect((small.series as { name: string }[]).map((x) => x.name)).toEqual(['circle', 'square'])
    const s = svgOf(small)
    expect(s).toContain('circle')
    expect(s).toContain('>a<')
    const n = LARGE_THRESHOLD + 1
    const big = mapScatterOption({ points: Array.from({ length: n }, (_, i) => ({ x: Math.cos(i), y: Math.sin(i * 1.3) })) }, { print: true })
    const ser = (big.series as { large: boolean; data: unknown[] }[])[0]!
    expect(ser.large).toBe(true)
    expect(ser.data.length).toBe(n)
  })

  it('(k) colour scatter: each point in its own colour, light ones outlined', () => {
    const o = colourScatterOption({ points: [{ x: 0, y: 0, hex: '#e6194b', label: 'red' }, { x: 1, y: 0, hex: '#ffffff', label: 'white' }] }, { print: true })
    const data = (o.series as { data: { itemStyle: { color: string; borderColor: string } }[] }[])[0]!.data
    expect(data[0]!.itemStyle.color).toBe('#e6194b')
    expect(data[1]!.itemStyle.borderColor).toBe('#888888')
    const s = svgOf(o)
    expect(s.toLowerCase()).toContain('#e6194b')
    expect(s).toContain('white')
  })

  it('SSR output has no scripts and unique id prefixes per chart', () => {
    const o = modelMatrixOption({ labels: ['a', 'b'], values: [[null, 0.5], [0.5, null]], metric: 'cka' }, { print: true })
    const a = renderChartSvg(o, 300, 200)
    const b = renderChartSvg(o, 300, 200)
    expect(a).not.toMatch(/<script/i)
    const ids = (x: string) => [...x.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1])
    for (const id of ids(a)) expect(ids(b)).not.toContain(id)
  })
})
