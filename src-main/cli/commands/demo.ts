import path from 'node:path'
import { badInput } from '../../common/errors'
import { appDataDir } from '../../core/paths'
import { gatherReportData } from '../../core/report/gather'
import { parsePaper, writeReport } from '../../core/report/writeReport'
import { checkWriteTarget } from '../../core/data/atomicWrite'
import { Workspace } from '../../core/store/workspace'
import { runJobInProcess } from '../../jobs/runInProcess'
import { flagString } from '../args'
import type { Command } from '../command'

export { DEMO_COMPLETE } from '../../jobs/demoJob'

/** The demo's workspace: --data, else $PLATONIC_LAB_DATA, else a dedicated folder beside the default workspace. */
export function demoDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag)
  if (env.PLATONIC_LAB_DATA) return path.resolve(env.PLATONIC_LAB_DATA)
  return path.join(appDataDir(env), 'demo-workspace')
}

export const command: Command = {
  name: 'demo',
  summary: 'set up the demo workspace (and optionally write the report)',
  usage: [
    'platonic-lab demo [--report FILE.pdf] [--html FILE.html] [--paper A4|Letter] [--force] [--data DIR]',
    '',
    'Creates (or reuses) a workspace with the bundled sample models (untrained), the shapes-256',
    'image–caption pairs and the papers’ published tables; extracts features, aligns every pair of',
    'models, and with --report writes the PDF report (--force replaces existing files). Default',
    'folder: <app data>/demo-workspace.',
  ].join('\n'),
  flags: ['report', 'html', 'paper'],
  booleanFlags: ['force'],
  async run(ctx) {
    if (ctx.args.positional.length) throw badInput(String(ctx.args.positional[0]), 'unexpected argument')
    const report = flagString(ctx.args, 'report')
    const html = flagString(ctx.args, 'html')
    if (report !== undefined && !/\.pdf$/i.test(report)) throw badInput('--report', `expected a .pdf file name, got "${report}"`)
    const paper = parsePaper(ctx.args.flags.paper)
    const overwrite = ctx.args.flags.force === true
    for (const f of [report, html]) if (f) checkWriteTarget(f, { overwrite })
    const ws = Workspace.open(demoDataDir(flagString(ctx.args, 'data')))
    try {
      const t0 = performance.now()
      const result = await runJobInProcess(ws, 'demo', {}, (f, m) => ctx.progress(report || html ? f * 0.8 : f, m), ctx.signal)
      let written: Awaited<ReturnType<typeof writeReport>> | null = null
      if (report || html) {
        ctx.progress(0.85, 'writing the report')
        const data = await gatherReportData(ws, { demo: true })
        written = await writeReport(data, { paper, out: report, html, overwrite })
        ctx.progress(1, 'done')
      }
      const seconds = Math.round((performance.now() - t0) / 10) / 100
      const json = { workspace: ws.dir, ...result, report: written, seconds }
      const text = [`demo workspace ready in ${ws.dir} (${seconds} s)`, written?.pdf ? `wrote ${written.pdf}` : null, written?.html ? `wrote ${written.html}` : null, `open it with: platonic-lab serve --data ${JSON.stringify(ws.dir)}`]
        .filter(Boolean)
        .join('\n')
      return { json, text }
    } finally {
      ws.close()
    }
  },
}
