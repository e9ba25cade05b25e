import fs from 'node:fs'
import path from 'node:path'
import { gatherReportData } from '../core/report/gather'
import { writeReport } from '../core/report/writeReport'
import type { JobFn } from './context'

/** Reports written from the app go to `<workspace>/reports/`, named by date. */
export function reportsDir(wsDir: string): string {
  return path.join(wsDir, 'reports')
}

/** Renders the workspace report to PDF with Chromium (browser mode; the desktop app prints with Electron). */
export const reportJob: JobFn<'report'> = async ({ ws, params: p, progress }) => {
  progress(0.05, 'gathering results')
  const data = await gatherReportData(ws)
  const dir = reportsDir(ws.dir)
  fs.mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const out = path.join(dir, `platonic-lab-report-${stamp}.pdf`)
  progress(0.3, 'printing the PDF')
  // The app's own folder: a second report within the same second replaces the first (never a user file).
  const r = await writeReport(data, { paper: p.paper ?? 'A4', sections: p.sections, out, overwrite: true })
  progress(1, 'done')
  return { pdf: path.basename(out), bytes: r.pdf_bytes, sections: r.sections, paper: r.paper }
}
