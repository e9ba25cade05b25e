import { AppError, badInput } from '../../common/errors'
import { parseSections } from '../../core/report/buildReportHtml'
import type { ReportData } from '../../core/report/types'
import { parsePaper, writeReport } from '../../core/report/writeReport'
import { checkWriteTarget } from '../../core/data/atomicWrite'
import type { Workspace } from '../../core/store/workspace'
import type { CliContext, Command } from '../command'

export interface GatherOptions {
  /** Report on the bundled demo workspace rather than the user's. */
  demo: boolean
  log(line: string): void
  signal: AbortSignal
}

/** Collects everything the report shows from a workspace (written in core/report/gather.ts). */
export type ReportGatherer = (ws: Workspace, opts: GatherOptions) => Promise<ReportData> | ReportData

let gatherer: ReportGatherer | null = null

/** Registers the function that turns a workspace into ReportData (the CLI entry and tests call this). */
export function setReportGatherer(fn: ReportGatherer | null): void {
  gatherer = fn
}

function flagString(ctx: CliContext, name: string): string | undefined {
  const v = ctx.args.flags[name]
  if (v === undefined) return undefined
  if (v === true) throw badInput(`--${name}`, 'needs a value')
  return v
}

export const command: Command = {
  name: 'report',
  summary: 'Render the workspace results (or the demo) to a PDF with vector charts and a provenance appendix',
  usage: 'report [--demo] [--sections LIST] [--paper A4|Letter] --out FILE.pdf [--html FILE] [--force]',
  flags: ['demo', 'sections', 'paper', 'out', 'html'],
  booleanFlags: ['demo', 'force'],
  async run(ctx) {
    if (ctx.args.positional.length) throw badInput(String(ctx.args.positional[0]), 'unexpected argument (report takes only flags)')
    const out = flagString(ctx, 'out')
    const html = flagString(ctx, 'html')
    if (!out && !html) throw badInput('--out', 'missing: give --out FILE.pdf (and/or --html FILE)')
    if (out && !/\.pdf$/i.test(out)) throw badInput('--out', `expected a .pdf file name, got "${out}"`)
    const paper = parsePaper(ctx.args.flags.paper)
    const overwrite = ctx.args.flags.force === true
    for (const f of [out, html]) if (f) checkWriteTarget(f, { overwrite })
    const sectionsFlag = flagString(ctx, 'sections')
    // Validate before the (possibly slow) gathering, so a typo fails at once.
    const sections = sectionsFlag === undefined ? undefined : parseSections(sectionsFlag)
    if (!gatherer) throw new AppError('UNAVAILABLE', 'report: no report data gatherer is registered in this build')
    ctx.progress(0, 'gathering results')
    const data = await gatherer(ctx.workspace(), { demo: ctx.args.flags.demo === true, log: ctx.log, signal: ctx.signal })
    if (ctx.signal.aborted) throw new AppError('CANCELLED', 'report: cancelled')
    ctx.progress(0.3, out ? 'printing PDF' : 'writing HTML')
    const r = await writeReport(data, { paper, sections, out, html, overwrite })
    ctx.progress(1, 'done')
    const text = [r.pdf ? `wrote ${r.pdf} (${r.paper}, ${r.sections.length} sections)` : null, r.html ? `wrote ${r.html}` : null].filter(Boolean).join('\n')
    return { json: r, text }
  },
}
