import type { AlignmentMatrix, MatrixCell, ScoreView } from '../../../../src-main/common/contract/align'
import { fmtNum, fmtP } from '../../../../src-main/common/charts'

/** Name of layer `i` of a model (−1 = all layers concatenated); the index when names are unknown. */
export function layerName(layers: readonly string[], i: number): string {
  if (i === -1) return 'concat'
  return layers[i] ?? `#${i}`
}

export function bestPairText(m: AlignmentMatrix, i: number, j: number, c: MatrixCell): string {
  if (!c.layers) return '—'
  return `${layerName(m.models[i]!.layers, c.layers[0])} × ${layerName(m.models[j]!.layers, c.layers[1])}`
}

export function permutationText(c: MatrixCell): string {
  const p = c.permutation
  if (!p) return 'not run'
  return `${fmtNum(p.mean)} ± ${fmtNum(p.sd)} (R = ${p.r}, p = ${fmtP(p.p_value)})`
}

export function intervalText(c: MatrixCell): string {
  return c.ci95 ? `[${fmtNum(c.ci95[0])}, ${fmtNum(c.ci95[1])}]` : 'not computed'
}

/** The p-value that decides significance: Benjamini–Hochberg adjusted when the sweep stored it, else the pair's own. */
export function decidingP(c: MatrixCell): number | null {
  return c.calibration ? (c.pAdjusted ?? c.calibration.p_value) : null
}

/** Calibrated and significant at the run's α (after BH when adjusted). */
export function isSignificant(c: MatrixCell | null): boolean {
  const p = c ? decidingP(c) : null
  return p !== null && p <= c!.calibration!.alpha
}

export function calibrationText(c: MatrixCell): string {
  const k = c.calibration
  if (!k) return 'not calibrated (set Calibration K and run the sweep)'
  const adj = c.pAdjusted !== null ? `, BH p = ${fmtP(c.pAdjusted)}` : ''
  return `s_cal = ${fmtNum(k.score)}, τ = ${fmtNum(k.threshold)}, p = ${fmtP(k.p_value)}${adj} (K = ${k.permutations}, α = ${k.alpha})${k.note ? ` — ${k.note}` : ''}`
}

/** The value a cell shows in the chosen view (null: nothing to show). */
export function shownScore(c: MatrixCell | null, view: ScoreView): number | null {
  if (!c || c.undefined_reason) return null
  if (view === 'raw') return c.score
  return c.calibration ? c.calibration.score : null
}

/** The score as shown: a number, or why there is none. */
export function scoreText(c: MatrixCell | null): string {
  if (!c) return 'not computed'
  if (c.undefined_reason) return `undefined: ${c.undefined_reason}`
  return fmtNum(c.score)
}

/** k/(N−1) is the expected overlap of two random k-NN sets: a chance level for mutual k-NN only. */
export const hasChance = (metric: string): boolean => metric === 'mutual_knn'

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => ESC[ch]!)

/** Hover text of one model × model cell (HTML for the ECharts tooltip; every value escaped). */
export function cellTooltip(m: AlignmentMatrix, i: number, j: number): string {
  const a = escapeHtml(m.models[i]!.name)
  const b = escapeHtml(m.models[j]!.name)
  const c = m.cells[i]?.[j] ?? null
  if (i === j) return `${a}<br/>(a model against itself is not computed)`
  if (!c) return `${a} × ${b}<br/>not computed — run the sweep`
  const lines = [
    `<b>${a} × ${b}</b>`,
    `${escapeHtml(m.metric)}: <b>${escapeHtml(scoreText(c))}</b>`,
    `best layers: ${escapeHtml(bestPairText(m, i, j, c))}`,
    hasChance(m.metric) ? `k = ${c.k}, N = ${c.n}, chance k/(N−1) ≈ ${fmtNum(c.chance)}` : `k = ${c.k}, N = ${c.n}`,
    `95% interval: ${intervalText(c)}`,
    `permutation null: ${escapeHtml(permutationText(c))}`,
    `calibration: ${escapeHtml(calibrationText(c))}${isSignificant(c) ? ' <b>*</b>' : ''}`,
  ]
  return lines.join('<br/>')
}
