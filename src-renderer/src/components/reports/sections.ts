import { download } from '../../charts/exportChart'

/** Report sections in print order (mirrors the report builder's REPORT_SECTIONS, which lives in core). */
export const SECTIONS = [
  { id: 'summary', label: 'Summary', hint: 'what was run and the headline numbers' },
  { id: 'alignment', label: 'Alignment', hint: 'model × model matrix, layer heatmaps' },
  { id: 'maps', label: 'Maps', hint: 'item maps and the model map' },
  { id: 'mle', label: 'MLE-Bench', hint: 'existence by object size' },
  { id: 'vqa', label: 'VQA categories', hint: 'per-category scores' },
  { id: 'mixtures', label: 'Data mixtures', hint: 'grids, recipes, alignment vs mixture' },
  { id: 'colour', label: 'Colour', hint: 'colour spaces against CIELAB' },
  { id: 'provenance', label: 'Provenance', hint: 'model hashes, dataset, parameters, versions' },
] as const

export type Paper = 'A4' | 'Letter'

/** A base64 payload as a Blob (the PDF a report job wrote, fetched through report.file). */
export function base64ToBlob(base64: string, type: string): Blob {
  const bin = atob(base64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return new Blob([bytes], { type })
}

export function saveHtml(html: string): void {
  download(`platonic-lab-report-${new Date().toISOString().slice(0, 10)}.html`, html, 'text/html')
}
