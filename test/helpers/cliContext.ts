import type { CliContext, ParsedArgs } from '../../src-main/cli/command'
import type { Workspace } from '../../src-main/core/store/workspace'

/**
 * A CliContext for calling a command's run() in-process: --json on, logs and progress discarded.
 * `workspace` defaults to one that fails the test, for commands that must not need a workspace.
 */
export function cliContext(positional: string[], flags: ParsedArgs['flags'] = {}, workspace?: () => Workspace): CliContext {
  return {
    args: { positional, flags },
    json: true,
    log: () => {},
    progress: () => {},
    workspace:
      workspace ??
      (() => {
        throw new Error('this command must not need a workspace')
      }),
    signal: new AbortController().signal,
  }
}
