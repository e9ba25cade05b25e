import { mcnemarExact } from '../../common/stats'
import { BIN_KEYS } from './types'
import type { BinKey, EvalRow } from './types'
import type { PairedEntry } from '../../common/contract/eval'

export type { PairedEntry } from '../../common/contract/eval'

/** Matching key of a row: its question id; or, as a fallback, its question text and options. */
const textKey = (r: EvalRow): string | null => (r.question !== null && r.choices ? `${r.question}\u0001${r.choices.join('\u0001')}` : null)

function index(rows: EvalRow[], key: (r: EvalRow) => string | null): Map<string, EvalRow> | null {
  const m = new Map<string, EvalRow>()
  for (const r of rows) {
    const k = key(r)
    if (k === null) return null
    if (!m.has(k)) m.set(k, r)
  }
  return m
}

/**
 * Paired comparison of two models on the same questions, per bin and overall. Questions are matched by
 * question id (doc_id / index / questionId / id, else row index). When fewer than half of the smaller set's
 * ids match but question text + options identify every question uniquely in both files, they are matched by
 * text instead (a warning says so). The bin is model a's label. Differing question sets are reported with
 * counts; only shared questions enter delta and the test.
 */
export function pairedComparison(rowsA: EvalRow[], rowsB: EvalRow[], a: string, b: string): { entries: PairedEntry[]; warnings: string[]; matchedBy: 'id' | 'text' } {
  const warnings: string[] = []
  let ia = index(rowsA, (r) => r.qid)!
  let ib = index(rowsB, (r) => r.qid)!
  let matchedBy: 'id' | 'text' = 'id'
  const sharedIds = [...ia.keys()].filter((k) => ib.has(k)).length
  if (sharedIds < Math.min(ia.size, ib.size) / 2) {
    const ta = index(rowsA, textKey)
    const tb = index(rowsB, textKey)
    if (ta && tb && ta.size === rowsA.length && tb.size === rowsB.length) {
      const sharedText = [...ta.keys()].filter((k) => tb.has(k)).length
      if (sharedText > sharedIds) {
        ia = ta
        ib = tb
        matchedBy = 'text'
        warnings.push(`${a} vs ${b}: question ids do not correspond (${sharedIds} shared); matched ${sharedText} questions by question text and options`)
      }
    }
  }
  const shared = [...ia.keys()].filter((k) => ib.has(k))
  const onlyA = ia.size - shared.length
  const onlyB = ib.size - shared.length
  if (onlyA || onlyB) warnings.push(`${a} vs ${b}: question sets differ: ${shared.length} shared, ${onlyA} only in ${a}, ${onlyB} only in ${b}; the comparison uses the shared questions`)
  const tally = new Map<BinKey | 'overall', { n: number; ca: number; cb: number; oa: number; ob: number }>()
  let binMismatch = 0
  for (const k of shared) {
    const ra = ia.get(k)!
    const rb = ib.get(k)!
    if (ra.bin !== rb.bin) binMismatch++
    for (const key of [ra.bin, 'overall'] as const) {
      const t = tally.get(key) ?? { n: 0, ca: 0, cb: 0, oa: 0, ob: 0 }
      t.n++
      if (ra.correct) t.ca++
      if (rb.correct) t.cb++
      if (ra.correct && !rb.correct) t.oa++
      if (!ra.correct && rb.correct) t.ob++
      tally.set(key, t)
    }
  }
  if (binMismatch) warnings.push(`${a} vs ${b}: ${binMismatch} shared question(s) carry different size bins in the two files; ${a}'s bin is used`)
  const entries: PairedEntry[] = []
  for (const key of [...BIN_KEYS, 'overall'] as const) {
    const t = tally.get(key)
    if (!t) continue
    entries.push({ a, b, bin: key, n: t.n, delta: (t.ca - t.cb) / t.n, p_value: mcnemarExact(t.oa, t.ob), only_a: t.oa, only_b: t.ob })
  }
  return { entries, warnings, matchedBy }
}
