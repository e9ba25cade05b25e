import type { Workspace } from '../core/store/workspace'

/** Parsed command line: positional arguments and `--flag value` / `--flag` options. */
export interface ParsedArgs {
  positional: string[]
  flags: Record<string, string | true>
}

export interface CliContext {
  args: ParsedArgs
  /** `--json` was given: print exactly one JSON document on stdout. */
  json: boolean
  /** A progress or log line for stderr (never stdout). */
  log(line: string): void
  /** Progress of long work: fraction in [0, 1] and a short message. */
  progress(fraction: number, message: string): void
  /** Opens (creating if needed) the workspace chosen by --data / PLATONIC_LAB_DATA / app-data. */
  workspace(): Workspace
  /** Aborted on SIGINT. */
  signal: AbortSignal
}

export interface CommandResult {
  /** The document printed under --json. */
  json: unknown
  /** Human-readable text printed without --json. */
  text: string
  /** Exit code; defaults to 0. */
  exitCode?: number
}

/**
 * One `platonic-lab` subcommand. `flags` lists every accepted flag (without `--`) so that an unknown
 * flag is a usage error (exit code 2) rather than silently ignored; `booleanFlags` take no value.
 */
export interface Command {
  name: string
  summary: string
  usage: string
  flags: string[]
  booleanFlags?: string[]
  run(ctx: CliContext): Promise<CommandResult>
}
