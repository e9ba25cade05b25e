import { mapScatterOption } from '../../../common/charts'
import { FULL_WIDTH, esc, figure } from '../htmlKit'
import type { MapData, MapsSection } from '../types'

function mapFigure(m: MapData, fallback: string): string {
  const params = m.params ? Object.entries(m.params).map(([k, v]) => `${k} = ${v}`).join(', ') : ''
  return figure(mapScatterOption({ points: m.points, title: m.title ?? fallback, subtitle: `${m.method.toUpperCase()}, ${m.points.length} points${params ? `; ${params}` : ''}` }, { print: true }), FULL_WIDTH, 420)
}

export function mapsSectionHtml(s: MapsSection, num: number): string {
  const out = [`<h1>${num} Maps</h1>`, '<p>Two-dimensional layouts: nearby points have similar representations. Distances between far-apart clusters are not meaningful under UMAP.</p>']
  if (s.items && s.items.points.length) out.push(`<h2>${esc(s.items.title ?? 'Items')}</h2>`, mapFigure(s.items, 'Item map'))
  if (s.models && s.models.points.length) out.push(`<h2>${esc(s.models.title ?? 'Models')}</h2>`, mapFigure(s.models, 'Model map'))
  return out.join('\n')
}
