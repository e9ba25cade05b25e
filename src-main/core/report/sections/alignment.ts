import { capabilityScatterOption, fmtNum, fmtP, layerHeatmapOption, layerLinesOption, modelMatrixOption, nullHistogramOption, shareScoreOption } from '../../../common/charts'
import { FULL_WIDTH, esc, figure, table } from '../htmlKit'
import type { AlignMetricResult, AlignResult, AlignmentSection } from '../types'

/** The paper whose calibration the report follows (cited in the section and in the sources). */
export const CALIBRATION_SOURCE = 'Gröger, Wen, Brbić, Revisiting the Platonic Representation Hypothesis: An Aristotelian View (ICML 2026, arXiv:2602.14486)'

/** The metric shown by default: the one asked for, else the first metric of the first pair. */
export function primaryMetric(s: AlignmentSection): string | null {
  if (s.metric) return s.metric
  const first = s.pairs[0]
  return first ? (Object.keys(first.result.metrics)[0] ?? null) : null
}

/** Model × model table of the metric's best scores, filled symmetrically; null where not computed. */
export function modelMatrix(s: AlignmentSection, metric: string, value: (r: AlignMetricResult) => number | null = (r) => r.score): { labels: string[]; values: (number | null)[][] } {
  const labels = s.models.map((m) => m.name)
  for (const p of s.pairs) for (const n of [p.a, p.b]) if (!labels.includes(n)) labels.push(n)
  const values = labels.map(() => labels.map((): number | null => null))
  for (const p of s.pairs) {
    const r = p.result.metrics[metric]
    const v = r ? value(r) : null
    if (v === null || !Number.isFinite(v)) continue
    const i = labels.indexOf(p.a)
    const j = labels.indexOf(p.b)
    values[i]![j] = v
    values[j]![i] = v
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

  out.push(calibrationHtml(s, metric))

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

/** Significant at the run's α: by the Benjamini–Hochberg adjusted p when the sweep stored one, else by p. */
function significant(r: AlignMetricResult): boolean {
  const c = r.calibration
  return !!c && (r.p_adjusted ?? c.p_value) <= c.alpha
}

/**
 * The calibration subsection: the method in one paragraph with its source, the calibrated model ×
 * model matrix, every calibrated pair's raw score, τ, p, BH p and s_cal, and the null histogram of
 * the best calibrated pair. Empty when nothing was calibrated.
 */
export function calibrationHtml(s: AlignmentSection, metric: string): string {
  const rows = s.pairs.flatMap((p) => Object.entries(p.result.metrics).filter(([, r]) => r.calibration).map(([m, r]) => ({ a: p.a, b: p.b, m, r, c: r.calibration! })))
  if (!rows.length) return ''
  const k = rows[0]!.c.permutations
  const alpha = rows[0]!.c.alpha
  const out = ['<h2>Calibration against the permutation null of the layer search</h2>']
  out.push(
    `<p>Raw alignment scores grow with model width (independent Gaussian features of width d on n items give linear CKA ≈ d/(n+d)) and with depth (the best of L<sub>A</sub> × L<sub>B</sub> layer pairs rises with the number of pairs even when nothing is aligned). ` +
      `Following ${esc(CALIBRATION_SOURCE)}, the items of B are permuted K = ${k} times (the same permutation in every layer of B, A fixed); for each permutation the whole layer table and the same aggregate as the reported score (the best layer pair, with the concatenation candidate under max+concat) is recomputed, giving null values T<sub>1</sub>…T<sub>K</sub>. ` +
      `The threshold τ is the ⌈(1−α)(K+1)⌉-th smallest of the K+1 values {T<sub>obs</sub>, T<sub>1</sub>…T<sub>K</sub>} (α = ${alpha}), p = (1 + #{T<sub>k</sub> ≥ T<sub>obs</sub>})/(K+1), and the calibrated score s<sub>cal</sub> = max((T<sub>obs</sub> − τ)/(1 − τ), 0): the part of the raw score above what size and layer search give alone. ` +
      `Across the pairs of a sweep p is adjusted by Benjamini–Hochberg; * marks pairs significant after the adjustment.</p>`,
  )
  const notes = [...new Set(rows.map((x) => x.c.note).filter((n): n is string => !!n))]
  for (const n of notes) out.push(`<p class="note">${esc(n)}.</p>`)
  const withMetric = rows.filter((x) => x.m === metric)
  if (withMetric.length) {
    const mm = modelMatrix(s, metric, (r) => r.calibration?.score ?? null)
    const sig = modelMatrix(s, metric, (r) => (r.calibration ? (significant(r) ? 1 : 0) : null))
    const marks = sig.values.map((row) => row.map((v) => (v === 1 ? '*' : null)))
    const side = Math.min(FULL_WIDTH, 260 + 70 * mm.labels.length)
    out.push(figure(modelMatrixOption({ labels: mm.labels, values: mm.values, metric, calibrated: true, marks }, { print: true }), side, Math.min(560, 140 + 60 * mm.labels.length), `Calibrated ${metric} (s_cal) for every model pair; * significant after Benjamini–Hochberg.`))
  }
  out.push(
    table(rows, [
      { header: 'model A', cell: (x) => x.a },
      { header: 'model B', cell: (x) => x.b },
      { header: 'metric', cell: (x) => x.m },
      { header: 'raw', cell: (x) => fmtNum(x.r.score), num: true },
      { header: 'null mean ± sd', cell: (x) => `${fmtNum(x.c.null_mean)} ± ${fmtNum(x.c.null_sd)}`, num: true },
      { header: 'τ', cell: (x) => fmtNum(x.c.threshold), num: true },
      { header: 'p', cell: (x) => fmtP(x.c.p_value), num: true },
      { header: 'p (BH)', cell: (x) => fmtP(x.r.p_adjusted ?? null), num: true },
      { header: 's_cal', cell: (x) => `${fmtNum(x.c.score)}${significant(x.r) ? ' *' : ''}`, num: true },
      { header: 'K', cell: (x) => x.c.permutations, num: true },
    ]),
  )
  const best = withMetric.filter((x) => x.c.null_values?.length).sort((x, y) => y.r.score - x.r.score)[0]
  if (best) {
    out.push(figure(nullHistogramOption({ nulls: best.c.null_values, observed: best.r.score, threshold: best.c.threshold, pValue: best.c.p_value, metric, title: `Permutation null: ${best.a} × ${best.b}` }, { print: true }), FULL_WIDTH, 280, `The layer search's best ${metric} under ${best.c.permutations} permutations of ${best.b}'s items, with the observed score and τ.`))
  }
  return out.join('\n')
}
