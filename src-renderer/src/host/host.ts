import type { ApiClient, Transport } from '../../../src-main/common/client'
import type { FinishedJob, JobParams } from '../../../src-main/common/contract/jobs'
import type { DesktopBridge, PickKind } from '../../../src-main/common/contract/bridge'
import type { Paper } from '../../../src-main/common/contract/report'

export type { DesktopBridge, Paper, PickKind }

/** The report a PDF is asked for: the chosen sections and paper, and the HTML the preview shows. */
export interface ReportPdf {
  sections: string[]
  paper: Paper
  html(): Promise<string>
}

/** What printing may need from the backend (the browser prints through a report job). */
export interface PdfBackend {
  api: ApiClient
  runJob(kind: 'report', params: JobParams<'report'>, title: string): Promise<FinishedJob<'report'>>
}

/**
 * Everything the renderer needs from where it runs: the API transport, file picking and PDF export.
 * Components ask the host what it can do (`canPickPaths`) instead of which host it is.
 */
export interface Host {
  readonly kind: 'desktop' | 'browser'
  readonly transport: Transport
  /** A page in a browser cannot learn a file's path, so only the desktop window offers dialogs. */
  readonly canPickPaths: boolean
  /** The path the user chose, or null (cancelled, or no dialog in this host). */
  pickPath(kind: PickKind): Promise<string | null>
  /** Writes the report as a PDF the user keeps; a sentence saying where, or null when cancelled. */
  exportPdf(report: ReportPdf, backend: PdfBackend): Promise<string | null>
}
