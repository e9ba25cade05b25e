import path from 'node:path'
import { badArg } from '../../common/errors'
import { buildReportHtml, chosenSections, reportTitle } from './buildReportHtml'
import { printPdf } from './printPdf'
import { checkWriteTarget, writeFileAtomically } from '../data/atomicWrite'
import type { Paper, ReportData } from './types'

export interface WriteReportOptions {
  paper: Paper
  sections?: string[]
  /** PDF path (optional when only HTML is wanted). */
  out?: string
  /** Also (or only) write the HTML document here. */
  html?: string
  /** Replace existing files (else refused before anything is built). */
  overwrite?: boolean
}

export interface WriteReportResult {
  pdf: string | null
  html: string | null
  paper: Paper
  sections: string[]
  pdf_bytes: number | null
  seconds: number
}

/** Builds the report once and writes the PDF and/or HTML: what `report` and `demo --report` both call. */
export async function writeReport(data: ReportData, opts: WriteReportOptions): Promise<WriteReportResult> {
  const t0 = performance.now()
  if (!opts.out && !opts.html) throw badArg('out', 'missing: give a PDF file (out) and/or an HTML file (html)')
  const target = { overwrite: opts.overwrite }
  for (const f of [opts.out, opts.html]) if (f) checkWriteTarget(f, target)
  const html = buildReportHtml(data, { paper: opts.paper, sections: opts.sections })
  let htmlPath: string | null = null
  if (opts.html) htmlPath = writeFileAtomically(opts.html, html, target)
  let pdfPath: string | null = null
  let bytes: number | null = null
  if (opts.out) {
    pdfPath = path.resolve(opts.out)
    bytes = (await printPdf(html, pdfPath, { paper: opts.paper, title: reportTitle(data), overwrite: opts.overwrite })).bytes
  }
  return { pdf: pdfPath, html: htmlPath, paper: opts.paper, sections: chosenSections(data, opts.sections), pdf_bytes: bytes, seconds: (performance.now() - t0) / 1000 }
}

/** "A4" / "Letter" from a flag value, case-insensitive. */
export function parsePaper(v: string | true | undefined): Paper {
  if (v === undefined) return 'A4'
  if (v === true) throw badArg('paper', 'needs a value: A4 or Letter')
  const s = v.trim().toLowerCase()
  if (s === 'a4') return 'A4'
  if (s === 'letter') return 'Letter'
  throw badArg('paper', `expected A4 or Letter, got "${v}"`)
}
