import { badArg } from '../../common/errors'
import { esc, reportCss } from './htmlKit'
import { alignmentSectionHtml } from './sections/alignment'
import { colourSectionHtml } from './sections/colour'
import { mapsSectionHtml } from './sections/maps'
import { mixturesSectionHtml } from './sections/mixtures'
import { mleSectionHtml } from './sections/mle'
import { provenanceSectionHtml } from './sections/provenance'
import { summarySectionHtml } from './sections/summary'
import { vqaSectionHtml } from './sections/vqa'
import { REPORT_SECTIONS, type ReportData, type ReportOptions, type ReportSection } from './types'

export const SECTION_TITLES: Record<ReportSection, string> = {
  summary: 'Summary',
  alignment: 'Alignment',
  maps: 'Maps',
  mle: 'MLE-Bench: existence by object size',
  vqa: 'VQA categories',
  mixtures: 'Data mixtures',
  colour: 'Colour',
  provenance: 'Provenance',
}

/** Checks a user's section list (an array, or a comma list); unknown names are bad input. */
export function parseSections(list: string[] | string): ReportSection[] {
  const names = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean)
  for (const n of names) if (!(REPORT_SECTIONS as readonly string[]).includes(n)) throw badArg('sections', `unknown section "${n}" (expected some of ${REPORT_SECTIONS.join(', ')})`)
  if (!names.length) throw badArg('sections', `no section named (expected some of ${REPORT_SECTIONS.join(', ')})`)
  return names as ReportSection[]
}

/** Sections that have data, in print order (summary and provenance always have). */
export function availableSections(d: ReportData): ReportSection[] {
  const has: Record<ReportSection, boolean> = {
    summary: true,
    alignment: !!d.alignment && d.alignment.pairs.length > 0,
    maps: !!d.maps && ((d.maps.items?.points.length ?? 0) > 0 || (d.maps.models?.points.length ?? 0) > 0),
    mle: !!d.mle && d.mle.models.length > 0,
    vqa: !!d.vqa && (d.vqa.models.length > 0 || !!d.vqa.paper || !!d.vqa.spearman),
    mixtures: !!d.mixtures && (!!d.mixtures.grid || !!d.mixtures.recipes),
    colour: !!d.colour && (d.colour.layers.length > 0 || d.colour.embeddings.length > 0),
    provenance: true,
  }
  return REPORT_SECTIONS.filter((s) => has[s])
}

/** The sections that will be printed: those asked for (default all) that have data, in print order. */
export function chosenSections(d: ReportData, sections?: string[]): ReportSection[] {
  const want = sections ? new Set(parseSections(sections)) : null
  return availableSections(d).filter((s) => !want || want.has(s))
}

function sectionHtml(d: ReportData, s: ReportSection, num: number): string {
  switch (s) {
    case 'summary': return summarySectionHtml(d, num)
    case 'alignment': return alignmentSectionHtml(d.alignment!, num)
    case 'maps': return mapsSectionHtml(d.maps!, num)
    case 'mle': return mleSectionHtml(d.mle!, num)
    case 'vqa': return vqaSectionHtml(d.vqa!, num)
    case 'mixtures': return mixturesSectionHtml(d.mixtures!, num)
    case 'colour': return colourSectionHtml(d.colour!, num)
    case 'provenance': return provenanceSectionHtml(d.provenance, num)
  }
}

export function reportTitle(d: ReportData): string {
  return d.title ?? 'Platonic Lab report'
}

/**
 * The whole report as one self-contained HTML document: inline CSS and SVG charts, no scripts and no
 * external URLs (a CSP forbids both), print CSS with one section per page run and page-size rules.
 * Both PDF printers (Chromium via playwright-core, Electron's printToPDF) print this same document.
 */
export function buildReportHtml(d: ReportData, opts: ReportOptions): string {
  const sections = chosenSections(d, opts.sections)
  const title = reportTitle(d)
  const date = d.provenance.generatedAt
  const titlePage = `<section class="title-page">
<h1>${esc(title)}</h1>
<div class="subtitle">${esc(d.subtitle ?? 'Representational alignment and visual priors')}</div>
<div class="meta">Generated ${esc(date)} by Platonic Lab ${esc(d.provenance.appVersion)} · execution provider ${esc(d.provenance.ep)} · ${d.provenance.models.length} model file(s), ${d.provenance.datasets.length} dataset(s)</div>
<ol>${sections.map((s) => `<li>${esc(SECTION_TITLES[s])}</li>`).join('')}</ol>
</section>`
  const body = sections.map((s, i) => `<section class="sec" id="sec-${s}">\n${sectionHtml(d, s, i + 1)}\n</section>`).join('\n')
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${reportCss(opts.paper)}</style>
</head><body>
${titlePage}
${body}
</body></html>
`
}
