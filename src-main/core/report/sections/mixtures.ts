import { fmtNum, mixtureGridOption, paretoScatterOption, shareScoreOption } from '../../../common/charts'
import { FULL_WIDTH, esc, figure, kvTable, table } from '../htmlKit'
import type { MixturesSection } from '../types'

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
}

export function mixturesSectionHtml(s: MixturesSection, n: number): string {
  const out = [`<h1>${n} Data mixtures</h1>`]
  const g = s.grid
  if (g && g.points.length) {
    out.push(`<h2>${esc(g.valueName)} over the mixture grid</h2>`)
    if (g.source) out.push(`<p class="note">Source: ${esc(g.source)}</p>`)
    out.push(
      figure(
        mixtureGridOption({ xName: g.xName, yName: g.yName, valueName: g.valueName, points: g.points, best: g.best_observed, surface: g.surface ?? null, optimum: g.fit?.optimum ?? null, fitLabel: g.fit ? `${g.fit.kind} fit, R² = ${g.fit.r2.toFixed(2)}` : undefined }, { print: true }),
        FULL_WIDTH,
        360,
        `${g.rows} cells; blank cells were not measured; ★ best observed.`,
      ),
    )
    const entries: [string, unknown][] = [
      ['cells', g.rows],
      ['best observed', `${g.xName} ${g.best_observed.x}, ${g.yName} ${g.best_observed.y} → ${fmtNum(g.best_observed.value, 2)}`],
    ]
    if (g.fit) {
      entries.push(['fit', g.fit.kind], ['R²', g.fit.r2.toFixed(3)])
      entries.push(['fitted optimum', `${g.xName} ${fmtNum(g.fit.optimum.x, 1)}, ${g.yName} ${fmtNum(g.fit.optimum.y, 1)} → ${fmtNum(g.fit.optimum.predicted, 2)}`])
      const co = Array.isArray(g.fit.coefficients) ? g.fit.coefficients.map((v, i) => [`c${i}`, v] as const) : Object.entries(g.fit.coefficients)
      entries.push(['coefficients', co.map(([k, v]) => `${k} = ${Number(v).toPrecision(4)}`).join(', ')])
    }
    out.push(kvTable(entries))
  }
  const r = s.recipes
  if (r && r.rows.length) {
    out.push('<h2>Recipes</h2>')
    if (r.source) out.push(`<p class="note">Source: ${esc(r.source)}</p>`)
    out.push(table(r.rows, r.columns.map((c) => ({ header: c, num: r.rows.some((row) => typeof row[c] === 'number'), cell: (row: Record<string, unknown>) => row[c] ?? '–' })), 'small'))
    if (r.tradeoff) {
      const t = r.tradeoff
      const points = r.rows.map((row) => ({ label: String(row[t.label] ?? ''), x: num(row[t.x]), y: num(row[t.y]) })).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      out.push(figure(paretoScatterOption({ points, xName: t.x, yName: t.y, maximizeX: t.maximizeX, maximizeY: t.maximizeY, title: `Trade-off: ${t.y} vs ${t.x}` }, { print: true }), FULL_WIDTH, 360))
    }
    if (r.shareScore) {
      const ss = r.shareScore
      const series = ss.scores.map((c) => ({ name: c, points: r.rows.map((row): [number, number] => [num(row[ss.share]), num(row[c])]) }))
      // Scores on different scales would flatten each other on one axis, so each gets its own chart.
      for (const sr of series) out.push(figure(shareScoreOption({ xName: ss.share, yName: sr.name, series: [sr], markPeak: true, digits: 2 }, { print: true }), FULL_WIDTH, 280))
    }
  }
  if (s.warnings.length) {
    out.push('<h2>Warnings</h2><ul>' + s.warnings.map((w) => `<li class="warn">${esc(w)}</li>`).join('') + '</ul>')
  }
  return out.join('\n')
}
