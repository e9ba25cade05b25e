import { colourScatterOption, fmtNum, shareScoreOption } from '../../../common/charts'
import { FULL_WIDTH, HALF_WIDTH, esc, figure, figureRow } from '../htmlKit'
import type { ColourSection } from '../types'

export function colourSectionHtml(s: ColourSection, num: number): string {
  const out = [`<h1>${num} Colour</h1>`]
  if (s.note) out.push(`<p>${esc(s.note)}</p>`)
  if (s.layers.length) {
    const numeric = s.layers.every((l) => typeof l.layer === 'number')
    const points = s.layers.map((l, i): [number, number] => [numeric ? (l.layer as number) : i, l.score])
    const best = s.layers.reduce((b, l) => (l.score > b.score ? l : b), s.layers[0]!)
    out.push(figure(shareScoreOption({ xName: numeric ? 'layer' : 'layer (index)', yName: s.scoreName, series: [{ name: s.scoreName, points }], markPeak: true, title: `${s.scoreName} by layer`, subtitle: `best: layer ${best.layer} (${fmtNum(best.score)})` }, { print: true }), FULL_WIDTH, 280))
  }
  const figs = s.embeddings.map((e) => figure(colourScatterOption({ points: e.points, title: e.title, xName: s.axes?.x, yName: s.axes?.y }, { print: true }), HALF_WIDTH, 300))
  for (let i = 0; i < figs.length; i += 2) out.push(figureRow(figs.slice(i, i + 2)))
  return out.join('\n')
}
