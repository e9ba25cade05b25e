import { binBarsOption, fmtP } from '../../../common/charts'
import { FULL_WIDTH, esc, figure, pct, table } from '../htmlKit'
import type { MleSection } from '../types'

/** Bin names across models, ordered by their numeric lower bound ("0-30" < "30-60" < "60-100"). */
export function mleBins(s: MleSection): string[] {
  const seen: string[] = []
  for (const m of s.models) for (const b of Object.keys(m.bins)) if (!seen.includes(b)) seen.push(b)
  const lower = (b: string) => {
    const v = parseFloat(b)
    return Number.isFinite(v) ? v : Infinity
  }
  return seen.sort((a, b) => lower(a) - lower(b))
}

export function mleSectionHtml(s: MleSection, num: number): string {
  const bins = mleBins(s)
  const out = [`<h1>${num} MLE-Bench: existence by object size</h1>`]
  out.push('<p>Accuracy on MLE-Bench existence questions, broken down by the share of the image the object covers. "Overall (weighted)" weights bins by their number of questions (the paper\'s Overall); "unweighted" is the mean of the bins (lmms-eval\'s average). Intervals are Wilson 95%.</p>')
  if (s.source) out.push(`<p class="note">Source: ${esc(s.source)}</p>`)
  out.push(
    figure(
      binBarsOption({ bins, models: s.models.map((m) => ({ name: m.name, bins: bins.map((b) => m.bins[b] ?? null) })), chance: 0.25 }, { print: true }),
      FULL_WIDTH,
      340,
      'Accuracy per object-size bin; dashed line: chance (25%, four choices).',
    ),
  )
  out.push(
    table(s.models, [
      { header: 'model', cell: (m) => m.name },
      { header: 'n', cell: (m) => m.n, num: true },
      ...bins.map((b) => ({
        header: `${b} acc % [95% CI]`,
        num: true,
        cell: (m: MleSection['models'][number]) => {
          const x = m.bins[b]
          return x ? `${pct(x.acc)} (${x.correct}/${x.n}) [${pct(x.ci95[0])}–${pct(x.ci95[1])}]` : '–'
        },
      })),
      { header: 'overall (weighted) %', cell: (m) => pct(m.overall_weighted), num: true },
      { header: 'overall (unweighted) %', cell: (m) => pct(m.overall_unweighted), num: true },
      { header: 'unparsed', cell: (m) => m.unparsed, num: true },
    ]),
  )
  if (s.paired.length) {
    out.push('<h2>Paired comparisons</h2><p class="note">Same questions answered by two models: difference in accuracy (A − B) and its p-value.</p>')
    out.push(
      table(s.paired, [
        { header: 'model A', cell: (p) => p.a },
        { header: 'model B', cell: (p) => p.b },
        { header: 'bin', cell: (p) => p.bin },
        { header: 'Δ accuracy (pp)', cell: (p) => (p.delta * 100).toFixed(1), num: true },
        { header: 'p', cell: (p) => fmtP(p.p_value), num: true },
      ]),
    )
  }
  return out.join('\n')
}
