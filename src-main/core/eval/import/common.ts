import path from 'node:path'
import { verdictDisagreements } from '../buildRow'
import type { VerdictPolicy } from '../buildRow'
import type { EvalRow } from '../types'

/** Options shared by every importer. */
export interface ImportOptions {
  /** Label for the model; defaults to one derived from the file (see defaultModelName). */
  model?: string
  /** The benchmark's own data.jsonl records, joined by row index when a prediction file lacks fields. */
  benchmark?: Record<string, unknown>[]
  verdict?: VerdictPolicy
}

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null)

/** The first present (non-null, non-empty) field among `names`, in the file's record then the benchmark's. */
export function pick(rec: Record<string, unknown>, bench: Record<string, unknown> | undefined, ...names: string[]): unknown {
  for (const src of [rec, bench]) {
    if (!src) continue
    for (const n of names) {
      const v = src[n]
      if (v !== null && v !== undefined && v !== '') return v
    }
  }
  return undefined
}

/** A list of option strings from an array, or a JSON/Python-ish list written as a string. */
export function choicesOf(v: unknown): string[] | null {
  if (Array.isArray(v)) return v.every((c) => typeof c === 'string' || typeof c === 'number') ? v.map(String) : null
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      return choicesOf(JSON.parse(v))
    } catch {
      try {
        return choicesOf(JSON.parse(v.replace(/'/g, '"')))
      } catch {
        return null
      }
    }
  }
  return null
}

/**
 * Default label from the file name: lmms-eval's `<date>_samples_<task>.jsonl` takes its folder (lmms-eval
 * writes one folder per model); otherwise the stem without `_samples_*`, `_<judge>_result` or extension.
 */
export function defaultModelName(file: string): string {
  const base = path.basename(file).replace(/\.(jsonl|json|xlsx|tsv|csv)$/i, '')
  let stem = base.replace(/_samples_.*$/, '').replace(/_(exact_matching|[^_]+)_result$/, '').replace(/_results$/, '')
  if (!stem || /^\d{8}(_\d{6})?$/.test(stem) || /^\d{4}-\d{2}-\d{2}/.test(stem)) stem = path.basename(path.dirname(path.resolve(file)))
  return stem || base
}

export function disagreementWarning(file: string, rows: EvalRow[], who: string): string[] {
  const d = verdictDisagreements(rows)
  return d ? [`${file}: ${who}'s own verdict differs from the re-parsed answer on ${d} of ${rows.length} questions`] : []
}
