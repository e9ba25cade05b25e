import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { REPO_ROOT } from '../helpers/fixtures'

/** The real CLI entry, started the way a user starts it (`node bin/platonic-lab.mjs`). */
export const CLI = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** True when the run had to be killed because it exceeded `timeoutMs`. */
  timedOut: boolean
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  cwd?: string
  /** Called with each complete stderr line as it arrives (progress lines, errors). */
  onStderrLine?: (line: string, child: ChildProcess) => void
  /** Called once right after the child starts. */
  onSpawn?: (child: ChildProcess) => void
  /** Run as this user/group (only possible as root): makes file permissions bite in root-run CI. */
  uid?: number
  gid?: number
  /** A command that execs `node CLI args...` given as its trailing arguments (e.g. a shell setting ulimit). */
  prefix?: string[]
}

/** Runs the CLI in a child process and collects its output; never rejects. */
export function runCli(args: string[], o: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const argv = [...(o.prefix ?? []), process.execPath, CLI, ...args]
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd ?? REPO_ROOT,
      uid: o.uid,
      gid: o.gid,
      env: { ...process.env, PLATONIC_LAB_DEBUG: '', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    o.onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    let partial = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, o.timeoutMs ?? 90_000)
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      partial += d
      const lines = partial.split('\n')
      partial = lines.pop()!
      for (const l of lines) o.onStderrLine?.(l, child)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })
}

/** Runs the CLI and parses its `--json` stdout (adds --json); throws with stderr when it is not JSON. */
export async function runCliJson<T = Record<string, unknown>>(args: string[], o: CliOptions = {}): Promise<{ run: CliRun; json: T }> {
  const run = await runCli([...args, '--json'], o)
  try {
    return { run, json: JSON.parse(run.stdout) as T }
  } catch {
    throw new Error(`platonic-lab ${args.join(' ')}: exit ${run.code}, stdout not JSON\nstderr:\n${run.stderr}\nstdout:\n${run.stdout}`)
  }
}

/** Runs async tasks with at most `limit` in flight (the CI machine has 2 cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Lines of stderr that start with `error: `, and lines that look like a JavaScript stack frame. */
export function errorLines(stderr: string): { errors: string[]; stack: string[] } {
  const lines = stderr.split('\n')
  return { errors: lines.filter((l) => l.startsWith('error: ')), stack: lines.filter((l) => /^\s+at .+/.test(l)) }
}
