import { badInput } from '../../common/errors'
import { wilsonInterval } from '../../common/stats'
import { pairedComparison } from './pairedComparison'
import type { PairedEntry } from './pairedComparison'
import { BIN_KEYS, CHANCE_ACC } from './types'
import type { BinKey, BinSummary, EvalRow, EvalSource } from './types'
import type { BinStat, ModelBreakdown, MleResult } from '../../common/contract/eval'

export type { BinStat, ModelBreakdown, MleResult } from '../../common/contract/eval'

export function binStat(correct: number, n: number): BinStat {
  return { n, correct, acc: correct / n, ci95: wilsonInterval(correct, n) }
}

function finish(name: string, bins: Partial<Record<BinKey, BinStat>>, unparsed: number, sources: ModelBreakdown['sources'], warnings: string[]): ModelBreakdown {
  const present = BIN_KEYS.filter((b) => bins[b])
  if (present.length === 0) throw badInput(name, 'has no questions in any object-size bin')
  if (present.length < BIN_KEYS.length) {
    warnings.push(`${name}: no questions in bin(s) ${BIN_KEYS.filter((b) => !bins[b]).join(', ')}; the unweighted mean covers ${present.join(', ')} only`)
  }
  let n = 0
  let correct = 0
  let accSum = 0
  for (const b of present) {
    n += bins[b]!.n
    correct += bins[b]!.correct
    accSum += bins[b]!.acc
  }
  return { name, n, bins, overall_weighted: correct / n, overall_unweighted: accSum / present.length, unparsed, sources }
}

/** Per-bin counts for one model's rows, keeping the first row of any repeated question id. */
export function modelBreakdown(name: string, rows: EvalRow[], warnings: string[] = []): ModelBreakdown {
  const seen = new Set<string>()
  const counts = new Map<BinKey, { n: number; correct: number }>()
  let unparsed = 0
  let dup = 0
  const sources = new Map<string, EvalSource>()
  for (const r of rows) {
    if (seen.has(r.qid)) {
      dup++
      continue
    }
    seen.add(r.qid)
    sources.set(r.source.file, r.source)
    const c = counts.get(r.bin) ?? { n: 0, correct: 0 }
    c.n++
    if (r.correct) c.correct++
    counts.set(r.bin, c)
    if (!r.parsed) unparsed++
  }
  if (dup) warnings.push(`${name}: ${dup} repeated question id(s) ignored (the first answer counts)`)
  const bins: Partial<Record<BinKey, BinStat>> = {}
  for (const b of BIN_KEYS) {
    const c = counts.get(b)
    if (c) bins[b] = binStat(c.correct, c.n)
  }
  return finish(name, bins, unparsed, [...sources.values()], warnings)
}

/** A bin-level summary (results.json, the paper's table) as a breakdown: correct = round(acc · n). */
export function summaryBreakdown(s: BinSummary, warnings: string[] = []): ModelBreakdown {
  const bins: Partial<Record<BinKey, BinStat>> = {}
  for (const b of BIN_KEYS) {
    const x = s.bins[b]
    if (x) bins[b] = binStat(Math.round(x.acc * x.n), x.n)
  }
  warnings.push(...s.warnings)
  return { ...finish(s.model, bins, 0, [s.source], warnings), estimated: s.estimated }
}

/**
 * The MLE-Bench breakdown of the `mle` command: per model (in order of first appearance) and bin n,
 * correct, accuracy and Wilson 95% interval, both overall accuracies, unparsed answers; then every pair of
 * row-level models compared per bin and overall on their shared questions (see pairedComparison).
 */
export function mleBreakdown(rows: EvalRow[], summaries: BinSummary[] = []): MleResult {
  const warnings: string[] = []
  const byModel = new Map<string, EvalRow[]>()
  for (const r of rows) {
    const list = byModel.get(r.model)
    if (list) list.push(r)
    else byModel.set(r.model, [r])
  }
  const models = [...byModel].map(([name, rs]) => modelBreakdown(name, rs, warnings))
  for (const s of summaries) {
    if (byModel.has(s.model) || models.some((m) => m.name === s.model)) throw badInput(s.source.file, `model name '${s.model}' is used twice; label each file with its own name`)
    models.push(summaryBreakdown(s, warnings))
  }
  const names = [...byModel.keys()]
  const paired: PairedEntry[] = []
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const pc = pairedComparison(byModel.get(names[i]!)!, byModel.get(names[j]!)!, names[i]!, names[j]!)
      paired.push(...pc.entries)
      warnings.push(...pc.warnings)
    }
  }
  return { models, paired, warnings, chance: CHANCE_ACC }
}
