import { badInput } from '../common/errors'
import type { ParsedArgs } from './command'

/** Flags every command accepts. */
export const GLOBAL_FLAGS = ['data', 'json', 'help']
export const GLOBAL_BOOLEAN = ['json', 'help']

/**
 * `--flag value`, `--flag=value` and boolean `--flag`. Which flags take no value is known per command,
 * so `--json A` never swallows a positional argument. A flag given twice keeps the last value, except
 * flags listed in `repeatable`, which are joined with commas.
 */
export function parseArgs(argv: string[], booleanFlags: string[], repeatable: string[] = []): ParsedArgs {
  const positional: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=')
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2)
      let value: string | true
      if (eq >= 0) value = a.slice(eq + 1)
      else if (booleanFlags.includes(name)) value = true
      else {
        const next = argv[i + 1]
        if (next === undefined || (next.startsWith('--') && next.length > 2)) throw badInput(`--${name}`, 'needs a value')
        value = next
        i++
      }
      const prev = flags[name]
      flags[name] = repeatable.includes(name) && typeof prev === 'string' && typeof value === 'string' ? `${prev},${value}` : value
    } else positional.push(a)
  }
  return { positional, flags }
}

/** Reads a string flag, or the default. */
export function flagString(args: ParsedArgs, name: string, def?: string): string | undefined {
  const v = args.flags[name]
  if (v === undefined) return def
  if (v === true) throw badInput(`--${name}`, 'needs a value')
  return v
}

/** Reads a numeric flag with bounds. */
export function flagNumber(args: ParsedArgs, name: string, def: number, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const v = flagString(args, name)
  if (v === undefined) return def
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw badInput(`--${name}`, `expected a number, got "${v}"`)
  if (opts.int && !Number.isInteger(n)) throw badInput(`--${name}`, `expected an integer, got "${v}"`)
  if (opts.min !== undefined && n < opts.min) throw badInput(`--${name}`, `must be at least ${opts.min}, got ${n}`)
  if (opts.max !== undefined && n > opts.max) throw badInput(`--${name}`, `must be at most ${opts.max}, got ${n}`)
  return n
}

/** Reads a flag restricted to a set of values. */
export function flagChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], def: T): T {
  const v = flagString(args, name)
  if (v === undefined) return def
  if (!(choices as readonly string[]).includes(v)) throw badInput(`--${name}`, `expected one of ${choices.join(', ')}, got "${v}"`)
  return v as T
}
