import type { EChartsOption } from 'echarts'
import type { ColourExperimentResult, ColourLayerResult, ColourPoint, ColourScores } from '../../../../src-main/common/contract/colour'
import { AXIS_NAME_STYLE, baseOption, fmtNum, PALETTE } from '../../../../src-main/common/charts'

/** Which CIELAB plane the 3-D points are projected on; points are already Procrustes-aligned to (L*, a*, b*). */
export type Plane = 'ab' | 'La' | 'Lb'
export const PLANES: { value: Plane; label: string }[] = [
  { value: 'ab', label: 'a* × b* (hue plane)' },
  { value: 'La', label: 'a* × L*' },
  { value: 'Lb', label: 'b* × L*' },
]

/** (x, y) of a point on a plane: x = L*, y = a*, z = b* after the alignment. */
export function project(p: ColourPoint, plane: Plane): { x: number; y: number } {
  if (plane === 'ab') return { x: p.y, y: p.z }
  if (plane === 'La') return { x: p.y, y: p.x }
  return { x: p.z, y: p.x }
}

export function planeAxes(plane: Plane): [string, string] {
  return plane === 'ab' ? ['a*', 'b*'] : plane === 'La' ? ['a*', 'L*'] : ['b*', 'L*']
}

/** One row of the scores table: a space (or one of its layers) with every score beside its baseline. */
export interface ScoreRow extends Record<string, unknown> {
  space: string
  layer: string
  spearman: number | null
  nullMean: number | null
  nullSd: number | null
  p: number | null
  residual: number | null
  residualNull: number | null
  residualP: number | null
  knnCielab: number | null
  knnChance: number | null
  note: string
}

function row(space: string, layer: string, s: ColourScores | null, knn: number | null, chance: number, note = ''): ScoreRow {
  return {
    space,
    layer,
    spearman: s?.spearman ?? null,
    nullMean: s?.nullMean ?? null,
    nullSd: s?.nullSd ?? null,
    p: s?.pValue ?? null,
    residual: s?.procrustesResidual ?? null,
    residualNull: s?.residualNullMean ?? null,
    residualP: s?.residualPValue ?? null,
    knnCielab: knn,
    knnChance: chance,
    note,
  }
}

export function scoreRows(r: ColourExperimentResult): ScoreRow[] {
  const chance = r.mutualKnn.chance
  const layered = (space: string, layers: ColourLayerResult[] | null): ScoreRow[] =>
    (layers ?? []).map((l) => row(space, l.name, l.scores, l.mutualKnn.cielab, chance, l.note ?? ''))
  const out = [...layered('language', r.language), ...layered('vision (swatches)', r.visionModel)]
  if (r.cooccurrence) out.push(row('images (PMI)', '—', r.cooccurrence.scores, r.cooccurrence.mutualKnn.cielab, chance, r.cooccurrence.note ?? ''))
  out.push(row('RGB baseline', '—', r.rgbBaseline, null, chance, 'the colours’ own sRGB values'))
  return out
}

/**
 * Spearman ρ with CIELAB per layer for the language and vision models, with the RGB baseline and the
 * language model's permutation mean (the chance level) as dashed reference lines.
 */
export function layerScoresOption(r: ColourExperimentResult, opts: { print?: boolean } = {}): EChartsOption {
  const n = Math.max(r.language?.length ?? 0, r.visionModel?.length ?? 0)
  const cats = Array.from({ length: n }, (_, i) => String(i))
  const o = baseOption(opts, 'Spearman ρ with CIELAB distances, per layer', 'dashed: RGB baseline and permutation mean (chance)')
  if (!opts.print) o.tooltip = { trigger: 'axis', valueFormatter: (v) => fmtNum(v as number) }
  o.legend = { bottom: 0, textStyle: { fontSize: 10 } }
  o.grid = { left: 56, right: 110, top: 60, bottom: 56 }
  o.xAxis = { type: 'category', data: cats, name: 'layer', nameLocation: 'middle', nameGap: 24, nameTextStyle: AXIS_NAME_STYLE, boundaryGap: false }
  o.yAxis = { type: 'value', name: 'Spearman ρ', nameLocation: 'middle', nameGap: 40, nameTextStyle: AXIS_NAME_STYLE, min: (v: { min: number }) => Math.min(-0.2, Math.floor(v.min * 10) / 10), max: 1 }
  const line = (name: string, layers: ColourLayerResult[] | null, color: string): unknown => ({
    type: 'line',
    name,
    color,
    symbolSize: 6,
    connectNulls: false,
    data: cats.map((_, i) => layers?.[i]?.scores?.spearman ?? null),
  })
  const ref = (name: string, y: number | null | undefined, color: string): unknown => ({
    type: 'line',
    name,
    color,
    data: [],
    markLine: y === null || y === undefined ? undefined : { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color }, label: { formatter: `${name} ${fmtNum(y)}`, fontSize: 9, position: 'end' }, data: [{ yAxis: y }] },
  })
  const series: unknown[] = []
  if (r.language) series.push(line('language model', r.language, PALETTE[0]!))
  if (r.visionModel) series.push(line('vision model (swatches)', r.visionModel, PALETTE[1]!))
  series.push(ref('RGB', r.rgbBaseline.spearman, PALETTE[2]!))
  const chance = r.language?.find((l) => l.scores)?.scores?.nullMean ?? r.visionModel?.find((l) => l.scores)?.scores?.nullMean ?? 0
  series.push(ref('chance', chance, '#777777'))
  if (r.cooccurrence?.scores) series.push(ref('images (PMI)', r.cooccurrence.scores.spearman, PALETTE[3]!))
  o.series = series as never
  return o
}
