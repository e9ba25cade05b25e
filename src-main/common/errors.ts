/**
 * The closed set of error codes that may cross a process or transport boundary.
 * BAD_INPUT is the user's fault (a file, flag or argument is wrong) and maps to CLI exit code 2;
 * everything else that is unexpected is INTERNAL (exit code 1).
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'NOT_FOUND',
  'UNKNOWN_METHOD',
  'UNAUTHORIZED',
  'CONFLICT',
  'CANCELLED',
  'UNAVAILABLE',
  'INTERNAL',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * An error with a code and a plain sentence naming the file or value at fault. `arg`, when set, is the
 * request argument at fault as the core and the API name it (`k`, `rbfSigma`); the message then starts
 * with that name, and a front end may show it its own way (the CLI as its flag, `--rbf-sigma`).
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly arg?: string
  constructor(code: ErrorCode, message: string, arg?: string) {
    super(message)
    this.name = 'AppError'
    this.code = code
    if (arg !== undefined) this.arg = arg
  }
}

/** Bad user input: `where` is the file or value at fault, `problem` says what is wrong. */
export function badInput(where: string, problem: string): AppError {
  return new AppError('BAD_INPUT', where ? `${where}: ${problem}` : problem)
}

/** A bad request argument, named as the API names it (`k`, `metrics`, `maxNewTokens`), never as a CLI flag. */
export function badArg(arg: string, problem: string): AppError {
  return new AppError('BAD_INPUT', `${arg}: ${problem}`, arg)
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AppError' && typeof (e as { code?: unknown }).code === 'string')
}

/** Serialisable form used by every transport. */
export interface WireError {
  code: ErrorCode
  message: string
  /** The request argument at fault, when the error is about one (see AppError). */
  arg?: string
}

export function toWireError(e: unknown): WireError {
  if (isAppError(e)) return { code: e.code, message: e.message, ...(typeof e.arg === 'string' ? { arg: e.arg } : {}) }
  const msg = e instanceof Error ? e.message : String(e)
  return { code: 'INTERNAL', message: msg }
}

export function fromWireError(w: WireError): AppError {
  const code = (ERROR_CODES as readonly string[]).includes(w.code) ? w.code : 'INTERNAL'
  return new AppError(code, w.message, typeof w.arg === 'string' ? w.arg : undefined)
}
