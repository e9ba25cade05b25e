import { correlationHeatmapOption } from '../../../common/charts'
import { HALF_WIDTH, esc, figure, figureRow, table } from '../htmlKit'
import type { CorrelationMatrix, VqaSection } from '../types'

function corrTable(c: CorrelationMatrix): string {
  return table(
    c.categories.map((name, i) => ({ name, row: c.matrix[i] ?? [] })),
    [{ header: '', cell: (r) => r.name }, ...c.categories.map((h, j) => ({ header: h, num: true, cell: (r: { row: number[] }) => (Number.isFinite(r.row[j]) ? r.row[j]!.toFixed(2) : '–') }))],
  )
}

export function vqaSectionHtml(s: VqaSection, num: number): string {
  const out = [`<h1>${num} VQA categories</h1>`]
  if (s.source) out.push(`<p class="note">Source: ${esc(s.source)}</p>`)
  if (s.models.length) {
    const hasOverall = s.models.some((m) => m.overall != null)
    out.push('<h2>Scores by category (%)</h2>')
    out.push(
      table(s.models, [
        { header: 'model', cell: (m) => m.name },
        ...s.categories.map((c) => ({ header: c, num: true, cell: (m: VqaSection['models'][number]) => (m.scores[c] == null ? '–' : m.scores[c].toFixed(2)) })),
        ...(hasOverall ? [{ header: 'overall', num: true, cell: (m: VqaSection['models'][number]) => (m.overall == null ? '–' : m.overall.toFixed(2)) }] : []),
      ]),
    )
  }
  const figs: string[] = []
  if (s.spearman) figs.push(figure(correlationHeatmapOption({ labels: s.spearman.categories, matrix: s.spearman.matrix, title: 'Ours: Spearman ρ', subtitle: `across ${s.models.length} models` }, { print: true }), HALF_WIDTH, 330))
  if (s.paper) figs.push(figure(correlationHeatmapOption({ labels: s.paper.categories, matrix: s.paper.matrix, title: 'Paper: Spearman ρ', subtitle: 'Han et al. 2025, Fig. 5' }, { print: true }), HALF_WIDTH, 330))
  if (figs.length) {
    out.push('<h2>Correlation between categories</h2>')
    out.push(figureRow(figs))
    if (s.spearman) out.push('<h3>Ours</h3>' + corrTable(s.spearman))
    if (s.paper) out.push('<h3>Published (Han et al. 2025, Figure 5)</h3>' + corrTable(s.paper))
  }
  if (s.benchmarks && Object.keys(s.benchmarks).length) {
    out.push('<h2>Benchmarks per category</h2>')
    out.push(table(Object.entries(s.benchmarks), [{ header: 'category', cell: (e) => e[0] }, { header: 'benchmarks', cell: (e) => e[1].join(', ') }]))
  }
  return out.join('\n')
}
