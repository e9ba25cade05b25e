import type { EChartsOption } from 'echarts'
import type { MapDetail } from '../../../../src-main/common/contract/maps'
import { mapScatterOption, LARGE_THRESHOLD } from '../../../../src-main/common/charts'

export type MapItem = MapDetail['items'][number]

/**
 * How points are coloured: by a dataset attribute, by whether the caption contains a keyword, or by a
 * cluster (dataset index → cluster number, computed on one map and shown on both).
 */
export type ColourBy =
  | { kind: 'none' }
  | { kind: 'attribute'; field: string }
  | { kind: 'keyword'; word: string }
  | { kind: 'cluster'; labels: ReadonlyMap<number, number>; source: string }

/** Outline colour of the linked selection: red, apart from the Okabe–Ito categories. */
export const SELECTION_COLOUR = '#d62728'

/** Series id of the selection ring, so the ring alone can be updated with a merge. */
export const SELECTION_SERIES = 'selection'

export function categoryOf(item: MapItem, by: ColourBy): string {
  if (by.kind === 'attribute') return item.attributes[by.field] || '(none)'
  if (by.kind === 'keyword') {
    const w = by.word.trim().toLowerCase()
    if (!w) return 'items'
    return (item.caption ?? '').toLowerCase().includes(w) ? `caption has “${by.word.trim()}”` : 'other'
  }
  if (by.kind === 'cluster') {
    const c = by.labels.get(item.index)
    return c === undefined ? `not in ${by.source}` : `cluster ${c + 1}`
  }
  return 'items'
}

/** Attribute names present on the map's items, in first-seen order. */
export function attributeFields(items: readonly MapItem[]): string[] {
  const out = new Set<string>()
  for (const it of items) for (const k of Object.keys(it.attributes)) out.add(k)
  return [...out]
}

export interface ItemMapChart {
  option: EChartsOption
  /** seriesMembers[s][d]: dataset index of data point d of series s (category series only). */
  seriesMembers: number[][]
}

/**
 * The item map's ECharts option: mapScatterOption's one-series-per-category layout (so the legend names
 * the colours), plus a ring over the linked selection and a brush restricted to the category series.
 * The grouping below mirrors mapScatterOption's (first-seen category order, item order kept inside a
 * group) so that a brushed (series, dataIndex) pair maps back to a dataset index.
 */
export function itemMapChart(map: MapDetail, by: ColourBy, selected: ReadonlySet<number>, title: string, subtitle: string): ItemMapChart {
  const order = new Map<string, number[]>()
  const points = map.items.map((it, row) => {
    const category = categoryOf(it, by)
    let g = order.get(category)
    if (!g) order.set(category, (g = []))
    g.push(it.index)
    return { x: map.coords[2 * row]!, y: map.coords[2 * row + 1]!, label: it.id, category }
  })
  const option = mapScatterOption({ points, title, subtitle, xName: 'UMAP 1', yName: 'UMAP 2', showLabels: false })
  const seriesMembers = [...order.values()]
  const categorySeries = seriesMembers.map((_, i) => i)
  const ring = selectionRing(map, selected)
  const large = points.length > LARGE_THRESHOLD
  ;(option.series as unknown[]).push({
    id: SELECTION_SERIES,
    type: 'scatter',
    name: 'selected',
    silent: true,
    z: 5,
    large,
    symbolSize: large ? 5 : 11,
    itemStyle: { color: 'rgba(0,0,0,0)', borderColor: SELECTION_COLOUR, borderWidth: 2 },
    data: ring,
  })
  option.brush = { seriesIndex: categorySeries, brushMode: 'single', throttleType: 'debounce', throttleDelay: 150, xAxisIndex: 0, inBrush: { opacity: 1 }, outOfBrush: { opacity: 0.25 } }
  option.toolbox = { right: 8, top: 24, itemSize: 14, feature: { brush: { type: ['rect', 'polygon', 'clear'], title: { rect: 'Box select', polygon: 'Lasso select', clear: 'Clear selection' } } } }
  return { option, seriesMembers }
}

/** Coordinates of the selected dataset indices that this map sampled. */
export function selectionRing(map: MapDetail, selected: ReadonlySet<number> | readonly number[]): [number, number][] {
  const rowOf = new Map(map.items.map((it, row) => [it.index, row]))
  const out: [number, number][] = []
  for (const i of selected) {
    const r = rowOf.get(i)
    if (r !== undefined) out.push([map.coords[2 * r]!, map.coords[2 * r + 1]!])
  }
  return out
}

/** "256 used of 256 available · all items" — never leave the reader guessing whether this is the first N. */
export function sampleText(map: Pick<MapDetail, 'indices' | 'nTotal' | 'params'>): string {
  const s = map.params.sample
  const how = s.mode === 'all' ? 'all items' : s.mode === 'random' ? `random sample, seed ${s.seed}` : `stratified sample, seed ${s.seed}`
  return `${map.indices.length} used of ${map.nTotal} available · ${how}`
}
