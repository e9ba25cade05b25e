import type { AppError } from '../common/errors'

/** Core arguments whose flag is not `--` and the argument in kebab case. */
const FLAG_OF_ARG = new Map<string, string>([
  ['directions', '--direction'],
  ['permutationSet', '--permutation-file'],
])

/** The flag that sets a core argument: `rbfSigma` → `--rbf-sigma`, `directions` → `--direction`. */
export function flagOf(arg: string): string {
  return FLAG_OF_ARG.get(arg) ?? `--${arg.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}

/**
 * An error's message as the command line prints it: the core names the argument at fault (`k: must
 * be …`, `backend onnx: …`), the command line names the flag that sets it (`--k: must be …`).
 */
export function cliErrorMessage(e: AppError): string {
  const { arg, message } = e
  if (arg === undefined || !message.startsWith(arg) || !/^[: ]/.test(message.slice(arg.length))) return message
  return flagOf(arg) + message.slice(arg.length)
}
