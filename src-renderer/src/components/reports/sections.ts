import { REPORT_SECTIONS, type ReportSection } from '../../../../src-main/common/contract/report'
import { download } from '../../host/download'

const INFO: Record<ReportSection, { label: string; hint: string }> = {
  summary: { label: 'Summary', hint: 'what was run and the headline numbers' },
  alignment: { label: 'Alignment', hint: 'model × model matrix, layer heatmaps' },
  maps: { label: 'Maps', hint: 'item maps and the model map' },
  mle: { label: 'MLE-Bench', hint: 'existence by object size' },
  vqa: { label: 'VQA categories', hint: 'per-category scores' },
  mixtures: { label: 'Data mixtures', hint: 'grids, recipes, alignment vs mixture' },
  colour: { label: 'Colour', hint: 'colour spaces against CIELAB' },
  provenance: { label: 'Provenance', hint: 'model hashes, dataset, parameters, versions' },
}

/** Report sections in print order, as the report builder prints them. */
export const SECTIONS = REPORT_SECTIONS.map((id) => ({ id, ...INFO[id] }))

export type { Paper } from '../../../../src-main/common/contract/report'

export function saveHtml(html: string): void {
  download(`platonic-lab-report-${new Date().toISOString().slice(0, 10)}.html`, html, 'text/html')
}
