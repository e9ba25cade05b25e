import { AppError, isAppError } from '../common/errors'
import path from 'node:path'
import { storageError } from '../core/store/storageError'
import { DB_FILE, Workspace } from '../core/store/workspace'
import { appVersion, resolveDataDir } from '../core/paths'
import { GLOBAL_BOOLEAN, GLOBAL_FLAGS, flagString, parseArgs } from './args'
import { cliErrorMessage } from './flagNames'
import type { CliContext, Command } from './command'
import { progressLine } from './progressLine'

/** Commands, loaded lazily so `--help` and quick commands do not load onnxruntime or Chromium. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'serve the UI on loopback for a browser', load: async () => (await import('./commands/serve')).command },
  demo: { summary: 'set up the demo workspace (and optionally write the report)', load: async () => (await import('./commands/demo')).command },
  align: { summary: 'alignment between two feature sets (.npy)', load: async () => (await import('./commands/align')).command },
  layers: { summary: "list a model's inputs, outputs and tappable layers", load: async () => (await import('./commands/layers')).command },
  extract: { summary: 'extract per-layer features of a model on a dataset', load: async () => (await import('./commands/extract')).command },
  evaluate: { summary: 'answer MLE-Bench with a local vision-language model', load: async () => (await import('./commands/evaluate')).command },
  mle: { summary: 'MLE-Bench object-size breakdown of evaluation outputs', load: async () => (await import('./commands/mle')).command },
  mix: { summary: 'data-mixture analysis of a recipe table or grid', load: async () => (await import('./commands/mix')).command },
  report: { summary: 'PDF report of the workspace', load: async () => (await import('./commands/report')).command },
  bundle: { summary: 'merge shard feature bundles, or import a bundle', load: async () => (await import('./commands/bundle')).command },
  cache: { summary: 'verify (and repair) the workspace cache', load: async () => (await import('./commands/cache')).command },
  gpu: { summary: 'which execution providers work on this machine', load: async () => (await import('./commands/gpu')).command },
}

/** Hooks that connect a command to the workspace (feature-set ids for align, the report gatherer). */
async function wireCommand(name: string, dataFlag: string | undefined): Promise<void> {
  if (name === 'align') {
    const { setFeatureSetResolver } = await import('./commands/align')
    const { getFeatureSet, loadFeatures } = await import('../core/features/store')
    setFeatureSetResolver(async (ws, id) => {
      getFeatureSet(ws, id)
      return loadFeatures(ws, id)
    })
  } else if (name === 'report') {
    const { setReportGatherer } = await import('./commands/report')
    const { gatherReportData } = await import('../core/report/gather')
    setReportGatherer(async (ws, o) => {
      if (!o.demo) return gatherReportData(ws)
      // --demo reports on the demo workspace (set up first if needed), never on the user's own.
      const { demoDataDir, DEMO_COMPLETE } = await import('./commands/demo')
      const { runJobInProcess } = await import('../jobs/runInProcess')
      const demoWs = Workspace.open(demoDataDir(dataFlag))
      try {
        // Only a demo run that finished counts: one killed mid-sweep has some alignments but not all,
        // and must be resumed (cheap: finished work is reused) before it is reported as the demo.
        if (demoWs.getSetting(DEMO_COMPLETE) !== '1') {
          await runJobInProcess(demoWs, 'demo', {}, (_f, m) => o.log(m), o.signal)
        }
        return await gatherReportData(demoWs, { demo: true })
      } finally {
        demoWs.close()
      }
    })
  }
}

function usage(): string {
  const lines = [
    `platonic-lab ${appVersion()} — representational alignment and visual-prior analysis, offline.`,
    '',
    'Usage: platonic-lab <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`),
    '',
    'Options for every command:',
    '  --data DIR   workspace folder (default: $PLATONIC_LAB_DATA, else the OS app-data folder)',
    '  --json       print exactly one JSON document on stdout',
    '  --help       help for a command',
    '',
    'Exit codes: 0 success, 2 bad input or usage, 1 internal error.',
  ]
  return lines.join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const name = argv[0]
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n')
    return 0
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(appVersion() + '\n')
    return 0
  }
  const entry = COMMANDS[name]
  if (!entry) {
    process.stderr.write(`error: unknown command "${name}" (try platonic-lab --help)\n`)
    return 2
  }
  let ws: Workspace | null = null
  const abort = new AbortController()
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130)
    abort.abort()
    process.stderr.write('\ncancelling… (Ctrl-C again to quit now)\n')
  }
  process.on('SIGINT', onSigint)
  try {
    const cmd = await entry.load()
    const args = parseArgs(argv.slice(1), [...GLOBAL_BOOLEAN, ...(cmd.booleanFlags ?? [])], ['model'])
    await wireCommand(name, flagString(args, 'data'))
    if (args.flags.help) {
      process.stdout.write(`${cmd.usage}\n`)
      return 0
    }
    const known = new Set([...GLOBAL_FLAGS, ...cmd.flags, ...(cmd.booleanFlags ?? [])])
    for (const f of Object.keys(args.flags)) {
      if (!known.has(f)) throw new AppError('BAD_INPUT', `--${f}: unknown option for "${name}" (try platonic-lab ${name} --help)`)
    }
    const json = args.flags.json === true
    const tty = process.stderr.isTTY === true
    const ctx: CliContext = {
      args,
      json,
      log: (line) => process.stderr.write(line + '\n'),
      progress: progressLine(tty, (s) => process.stderr.write(s)),
      workspace: () => {
        if (!ws) ws = Workspace.open(resolveDataDir(flagString(args, 'data')))
        return ws
      },
      signal: abort.signal,
    }
    const result = await cmd.run(ctx)
    if (json) process.stdout.write(JSON.stringify(result.json, null, 2) + '\n')
    else if (result.text) process.stdout.write(result.text.endsWith('\n') ? result.text : result.text + '\n')
    return result.exitCode ?? 0
  } catch (e) {
    if (isAppError(e) && (e.code === 'BAD_INPUT' || e.code === 'NOT_FOUND' || e.code === 'UNAVAILABLE' || e.code === 'CONFLICT')) {
      process.stderr.write(`error: ${oneLine(cliErrorMessage(e))}\n`)
      return 2
    }
    const env = workspaceWriteError(e, ws as Workspace | null)
    if (env) {
      process.stderr.write(`error: ${oneLine(env.message)}\n`)
      return 2
    }
    if (isAppError(e) && e.code === 'CANCELLED') {
      process.stderr.write('error: cancelled\n')
      return 2
    }
    process.stderr.write(`error: internal failure: ${oneLine(e instanceof Error ? e.message : String(e))}\n`)
    if (process.env.PLATONIC_LAB_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n')
    return 1
  } finally {
    process.off('SIGINT', onSigint)
    const w = ws as Workspace | null
    w?.close()
  }
}

/** Disk full or read-only workspace (SQLite or fs) as a clear sentence naming the file, else null. */
function workspaceWriteError(e: unknown, ws: Workspace | null): AppError | null {
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  if (code.startsWith('SQLITE_')) return storageError(ws ? path.join(ws.dir, DB_FILE) : 'workspace database', e)
  // A failed copy or link names its source in `path` and the file it could not write in `dest`.
  const err = e as { path?: unknown; dest?: unknown } | null
  const file = typeof err?.dest === 'string' ? err.dest : err?.path
  if (typeof file === 'string' && ['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS'].includes(code)) return storageError(file, e)
  return null
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim()
}
