import { fmtNum, fmtP, paretoFront } from '../../../common/charts'
import { esc, pct } from '../htmlKit'
import type { ReportData } from '../types'
import { bestPair, layerText, primaryMetric } from './alignment'
import { mleBins } from './mle'

/** Headline findings, one line per available result, with the numbers a reader looks for first. */
export function summaryLines(d: ReportData): string[] {
  const lines = [...(d.summary ?? [])]
  const a = d.alignment
  const metric = a ? primaryMetric(a) : null
  if (a && metric) {
    const b = bestPair(a, metric)
    if (b) {
      const r = b.result.metrics[metric]!
      const chance = b.result.chance[metric]
      lines.push(
        `Alignment: ${a.models.length} models, ${a.pairs.length} pairs. Highest ${metric}: ${b.a} × ${b.b} = ${fmtNum(r.score)}` +
          (r.layers ? ` at layers ${layerText(r.layers[0])}, ${layerText(r.layers[1])}` : '') +
          (chance !== undefined ? ` (chance ≈ ${fmtNum(chance)})` : '') + '.',
      )
    }
    if (a.capability) lines.push(`Alignment vs ${a.capability.capabilityName}: Spearman ρ = ${a.capability.rho == null ? '–' : a.capability.rho.toFixed(2)}, p = ${fmtP(a.capability.p)}, over ${a.capability.points.length} models.`)
  }
  if (d.mle && d.mle.models.length) {
    const bins = mleBins(d.mle)
    const top = [...d.mle.models].sort((x, y) => y.overall_weighted - x.overall_weighted)[0]!
    const small = bins[0]
    lines.push(
      `MLE-Bench: best overall (weighted) ${top.name} at ${pct(top.overall_weighted)}%` +
        (small && top.bins[small] ? `; on the smallest objects (${small}) it scores ${pct(top.bins[small].acc)}%` : '') + '.',
    )
  }
  if (d.vqa && d.vqa.models.length) lines.push(`VQA: ${d.vqa.models.length} models scored on ${d.vqa.categories.length} categories (${d.vqa.categories.join(', ')}).`)
  const g = d.mixtures?.grid
  if (g) {
    lines.push(
      `Mixture grid: best observed ${g.valueName} ${fmtNum(g.best_observed.value, 1)} at ${g.xName} ${g.best_observed.x}, ${g.yName} ${g.best_observed.y}` +
        (g.fit ? `; ${g.fit.kind} fit (R² = ${g.fit.r2.toFixed(2)}) peaks at ${fmtNum(g.fit.optimum.x, 1)}, ${fmtNum(g.fit.optimum.y, 1)} → ${fmtNum(g.fit.optimum.predicted, 1)}` : '') + '.',
    )
  }
  const r = d.mixtures?.recipes
  if (r?.tradeoff) {
    const t = r.tradeoff
    const pts = r.rows.map((row) => ({ label: String(row[t.label]), x: Number(row[t.x]), y: Number(row[t.y]) }))
    const front = paretoFront(pts, t.maximizeX ?? true, t.maximizeY ?? true)
    lines.push(`Recipes: ${r.rows.length}; Pareto-optimal on ${t.x} and ${t.y}: ${front.map((p) => p.label).join(', ')}.`)
  }
  if (d.colour && d.colour.layers.length) {
    const best = d.colour.layers.reduce((b, l) => (l.score > b.score ? l : b), d.colour.layers[0]!)
    lines.push(`Colour: best ${d.colour.scoreName} at layer ${best.layer} (${fmtNum(best.score)}).`)
  }
  const w = d.mixtures?.warnings.length ?? 0
  if (w) lines.push(`${w} warning${w === 1 ? '' : 's'} raised while reading the mixture data (listed in that section).`)
  return lines
}

export function summarySectionHtml(d: ReportData, num: number): string {
  const lines = summaryLines(d)
  return [`<h1>${num} Summary</h1>`, lines.length ? '<ul>' + lines.map((l) => `<li>${esc(l)}</li>`).join('\n') + '</ul>' : '<p>No results yet.</p>'].join('\n')
}
