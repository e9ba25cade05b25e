import { badInput } from '../../../common/errors'
import { binKeyOf } from '../bins'
import { BIN_KEYS, PUBLISHED_BIN_SIZES } from '../types'
import type { BinKey, BinSummary, EvalSource } from '../types'
import { defaultModelName } from './common'

export function isLmmsResults(v: unknown): v is { results: Record<string, Record<string, unknown>> } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { results?: unknown }).results === 'object'
}

/**
 * An lmms-eval `*_results.json` summary: bin accuracies under results.<task> as "<bin>,<filter>" keys
 * (bin keys like 'small', 'existence_0-30'). It carries no per-bin counts, so n is taken from the published
 * MLE-Bench bin sizes when the task ran on all 1,861 questions (marked `estimated`); otherwise it is refused.
 */
export function importLmmsResults(file: string, doc: unknown, model?: string): BinSummary {
  if (!isLmmsResults(doc)) throw badInput(file, 'is not an lmms-eval results file; expected a "results" object keyed by task')
  const bins: BinSummary['bins'] = {}
  let task: string | null = null
  for (const [t, metrics] of Object.entries(doc.results)) {
    for (const [k, v] of Object.entries(metrics ?? {})) {
      const key = binKeyOf(k.split(',')[0])
      if (!key || typeof v !== 'number') continue
      if (!Number.isFinite(v)) throw badInput(file, `results.${t}.${k} is not a finite number`)
      task = t
      const acc = v > 1 ? v / 100 : v
      bins[key] = { n: PUBLISHED_BIN_SIZES[key], acc }
    }
    if (task) break
  }
  if (!task) throw badInput(file, "has no MLE-Bench bin metrics; expected results.<task> keys like 'small,none' or 'existence_0-30,none'")
  const nSamples = (doc as { 'n-samples'?: Record<string, { effective?: number; original?: number }> })['n-samples']?.[task]
  const total = nSamples?.effective ?? nSamples?.original
  if (typeof total === 'number' && total !== 1861) {
    throw badInput(file, `task ${task} ran on ${total} questions, and a results summary has no per-bin counts; import the *_samples_${task}.jsonl file instead`)
  }
  const missing = BIN_KEYS.filter((b: BinKey) => !bins[b])
  const source: EvalSource = { file, harness: 'lmms-eval', shape: 'results-json', judge: null }
  return {
    model: model ?? defaultModelName(file),
    source,
    bins,
    estimated: true,
    warnings: [
      `${file}: a results summary has no per-bin counts; intervals use the published bin sizes 732 / 698 / 431`,
      ...(missing.length ? [`${file}: no accuracy for bin(s) ${missing.join(', ')}`] : []),
    ],
  }
}
