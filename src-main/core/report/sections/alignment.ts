import { capabilityScatterOption, fmtNum, fmtP, layerHeatmapOption, layerLinesOption, modelMatrixOption, shareScoreOption } from '../../../common/charts'
import { FULL_WIDTH, esc, figure, table } from '../htmlKit'
import type { AlignResult, AlignmentSection } from '../types'

/** The metric shown by default: the one asked for, else the first metric of the first pair. */
export function primaryMetric(s: AlignmentSection): string | null {
  if (s.metric) return s.metric
  const first = s.pairs[0]
  return first ? (Object.keys(first.result.metrics)[0] ?? null) : null
}

/** Model × model table of the metric's best scores, filled symmetrically; null where not computed. */
export function modelMatrix(s: AlignmentSection, metric: string): { labels: string[]; values: (number | null)[][] } {
  const labels = s.models.map((m) => m.name)
  for (const p of s.pairs) for (const n of [p.a, p.b]) if (!labels.includes(n)) labels.push(n)
  const values = labels.map(() => labels.map((): number | null => null))
  for (const p of s.pairs) {
    const r = p.result.metrics[metric]
    if (!r || !Number.isFinite(r.score)) continue
    const i = labels.indexOf(p.a)
    const j = labels.indexOf(p.b)
    values[i]![j] = r.score
    values[j]![i] = r.score
  }
  return { labels, values }
}

/** The best pair for a metric, or undefined. */
export function bestPair(s: AlignmentSection, metric: string): AlignmentSection['pairs'][number] | undefined {
  let best: AlignmentSection['pairs'][number] | undefined
  for (const p of s.pairs) {
    const v = p.result.metrics[metric]?.score
    if (v !== undefined && Number.isFinite(v) && (!best || v > best.result.metrics[metric]!.score)) best = p
  }
  return best
}

function concatMode(r: AlignResult): boolean {
  return r.layers_mode === 'max+concat'
}

/** A layer index from the CLI (−1 = concatenation) as text. */
export function layerText(i: number): string {
  return i === -1 ? 'concat' : String(i)
}

export function alignmentSectionHtml(s: AlignmentSection, num: number): string {
  const metric = primaryMetric(s)
  if (!metric) return ''
  const out: string[] = [`<h1>${num} Alignment</h1>`]
  if (s.note) out.push(`<p>${esc(s.note)}</p>`)
  const first = s.pairs[0]!.result
  const chance = first.chance[metric] ?? null
  out.push(`<p>${s.models.length} models, ${s.pairs.length} pairs, n = ${first.n} paired items, k = ${first.k}, preprocessing ${esc(first.prep)}${first.q !== undefined ? ` (q = ${first.q})` : ''}, layers ${esc(first.layers_mode)}. Scores are the maximum over layer pairs.</p>`)
  const mm = modelMatrix(s, metric)
  // Sized to the number of models so that a 3 × 3 matrix does not fill a page.
  const side = Math.min(FULL_WIDTH, 260 + 70 * mm.labels.length)
  out.push(figure(modelMatrixOption({ labels: mm.labels, values: mm.values, metric, chance }, { print: true }), side, Math.min(560, 140 + 60 * mm.labels.length), `Best-layer ${metric} for every model pair.`))

  const rows = s.pairs.flatMap((p) =>
    Object.entries(p.result.metrics).map(([m, r]) => ({ a: p.a, b: p.b, m, r, res: p.result })),
  )
  out.push('<h2>Scores by pair and metric</h2>')
  out.push(
    table(rows, [
      { header: 'model A', cell: (x) => x.a },
      { header: 'model B', cell: (x) => x.b },
      { header: 'metric', cell: (x) => x.m },
      { header: 'score', cell: (x) => fmtNum(x.r.score), num: true },
      { header: '95% CI', cell: (x) => (x.r.ci95 ? `${fmtNum(x.r.ci95[0])}–${fmtNum(x.r.ci95[1])}` : '–'), num: true },
      { header: 'chance', cell: (x) => fmtNum(x.res.chance[x.m]), num: true },
      { header: 'layers', cell: (x) => (x.r.layers ? `${layerText(x.r.layers[0])}, ${layerText(x.r.layers[1])}` : '–'), num: true },
      { header: 'n', cell: (x) => x.res.n, num: true },
      { header: 'k', cell: (x) => x.res.k, num: true },
      { header: 'ep', cell: (x) => x.res.ep },
      { header: 's', cell: (x) => x.res.seconds.toFixed(2), num: true },
    ]),
  )

  const picks = s.heatmaps ?? (() => {
    const b = bestPair(s, metric)
    return b ? [{ a: b.a, b: b.b, metric }] : []
  })()
  for (const h of picks) {
    const pair = s.pairs.find((p) => p.a === h.a && p.b === h.b)
    const m = h.metric ?? metric
    const r = pair?.result.metrics[m]
    if (!pair || !r || !r.matrix) continue
    const concat = concatMode(pair.result)
    const best: [number, number] | undefined = r.layers ? [r.layers[0] + (concat ? 1 : 0), r.layers[1] + (concat ? 1 : 0)] : undefined
    out.push(`<h2>Layer by layer: ${esc(h.a)} × ${esc(h.b)}</h2>`)
    const rowsN = r.matrix.length
    out.push(figure(layerHeatmapOption({ matrix: r.matrix, rowModel: h.a, colModel: h.b, metric: m, concat, best }, { print: true }), FULL_WIDTH, Math.min(560, 160 + 26 * rowsN), `${m} for every layer pair; ★ marks the chosen pair (${fmtNum(r.score)}).`))
    out.push(figure(layerLinesOption({ matrix: r.matrix, rowModel: h.a, colModel: h.b, metric: m, concat, chance: pair.result.chance[m] ?? null }, { print: true }), FULL_WIDTH, 300))
  }

  if (s.capability && s.capability.points.length) {
    const c = s.capability
    out.push('<h2>Alignment and capability</h2>')
    out.push(figure(capabilityScatterOption({ ...c, alignmentName: metric }, { print: true }), FULL_WIDTH, 360, `Spearman ρ = ${c.rho == null ? '–' : c.rho.toFixed(2)} (p = ${fmtP(c.p)}) between ${metric} and ${c.capabilityName}.`))
  }
  if (s.shareCurves && s.shareCurves.series.length) {
    const c = s.shareCurves
    out.push(`<h2>${esc(c.yName)} vs ${esc(c.xName)}</h2>`)
    out.push(figure(shareScoreOption({ ...c, markPeak: true }, { print: true }), FULL_WIDTH, 320, c.note))
  }
  return out.join('\n')
}
