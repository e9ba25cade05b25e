import type { BinKey, EvalRow } from './types'
import type { QuestionAnswers } from '../../common/contract/eval'

export type { QuestionAnswers } from '../../common/contract/eval'

/**
 * One line per question with every model's answer, for the per-question browser. Questions are keyed by
 * question id, in the order first seen; question text and options come from the first model that has them.
 */
export function questionTable(rows: EvalRow[], opts: { disagreementsOnly?: boolean; bin?: BinKey } = {}): QuestionAnswers[] {
  const byQ = new Map<string, QuestionAnswers>()
  for (const r of rows) {
    let q = byQ.get(r.qid)
    if (!q) {
      q = { qid: r.qid, bin: r.bin, question: r.question, choices: r.choices, answerLetter: r.answer_letter, answers: {}, disagree: false }
      byQ.set(r.qid, q)
    }
    q.question ??= r.question
    q.choices ??= r.choices
    if (!(r.model in q.answers)) q.answers[r.model] = { predRaw: r.pred_raw, predLetter: r.pred_letter, correct: r.correct, parsed: r.parsed }
  }
  const out: QuestionAnswers[] = []
  for (const q of byQ.values()) {
    const verdicts = new Set(Object.values(q.answers).map((a) => a.correct))
    q.disagree = verdicts.size > 1
    if (opts.disagreementsOnly && !q.disagree) continue
    if (opts.bin && q.bin !== opts.bin) continue
    out.push(q)
  }
  return out
}
