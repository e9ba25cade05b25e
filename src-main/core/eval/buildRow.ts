import { badInput } from '../../common/errors'
import { binKeyOf, EXPECTED_BIN_LABELS } from './bins'
import { parsePrediction } from './parsePrediction'
import type { EvalRow, EvalSource } from './types'
import type { VerdictPolicy } from '../../common/contract/eval'

export { VERDICT_POLICIES, type VerdictPolicy } from '../../common/contract/eval'

/** What an importer found for one question before normalisation. */
export interface RawAnswer {
  qid: string
  binLabel: unknown
  question: string | null
  choices: string[] | null
  /** The correct option as a letter ('B') ... */
  answerLetter?: string | null
  /** ... or as text (the option's text, or a letter written as text). */
  answerText?: string | null
  predRaw: string
  /** The harness's own extracted letter, used only when the app's parser finds none. */
  fileLetter?: string | null
  fileCorrect?: boolean | null
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

export function letterOfAnswer(where: string, raw: RawAnswer): string {
  const nChoices = raw.choices?.length ?? 26
  const valid = (l: string): boolean => LETTERS.indexOf(l) >= 0 && LETTERS.indexOf(l) < nChoices
  const fromLetter = (s: string | null | undefined): string | null => {
    if (typeof s !== 'string') return null
    const m = /^\s*[([]?([A-Za-z])[)\].]?\s*$/.exec(s)
    return m && valid(m[1]!.toUpperCase()) ? m[1]!.toUpperCase() : null
  }
  const l = fromLetter(raw.answerLetter)
  if (l) return l
  const text = raw.answerText
  if (typeof text === 'string' && raw.choices) {
    const exact = raw.choices.indexOf(text)
    if (exact >= 0) return LETTERS[exact]!
    const t = text.trim().toLowerCase()
    const ci = raw.choices.findIndex((c) => c.trim().toLowerCase() === t)
    if (ci >= 0) return LETTERS[ci]!
  }
  const asLetter = fromLetter(text)
  if (asLetter) return asLetter
  const shown = raw.answerLetter ?? text
  if (shown === null || shown === undefined || shown === '') {
    throw badInput(where, 'has no correct answer; expected an answer letter or the correct option\'s text')
  }
  throw badInput(where, `correct answer ${JSON.stringify(shown)} is neither a letter A–${LETTERS[nChoices - 1]} nor one of the choices ${JSON.stringify(raw.choices)}`)
}

/** Normalises one answer: bin from the data's own label, answer letter, parsed prediction, verdict. */
export function buildRow(model: string, source: EvalSource, where: string, raw: RawAnswer, policy: VerdictPolicy = 'reparse'): EvalRow {
  const bin = binKeyOf(raw.binLabel)
  if (!bin) {
    const got = raw.binLabel === undefined || raw.binLabel === null ? 'no object-size label' : `object-size label ${JSON.stringify(raw.binLabel)}`
    throw badInput(where, `${got}; expected sub_task/category ${EXPECTED_BIN_LABELS}`)
  }
  const answer = letterOfAnswer(where, raw)
  // Without the options only rule 1 (explicit letters) can apply; four blank options keep A–D valid.
  const parsed = parsePrediction(raw.predRaw, raw.choices ?? ['', '', '', ''])
  let letter = parsed.letter
  let rule: EvalRow['rule'] = parsed.rule
  if (!letter && raw.fileLetter && /^[A-Z]$/.test(raw.fileLetter.trim().toUpperCase())) {
    letter = raw.fileLetter.trim().toUpperCase()
    rule = 'file-letter'
  }
  const fileCorrect = typeof raw.fileCorrect === 'boolean' ? raw.fileCorrect : null
  const correct = policy === 'file' && fileCorrect !== null ? fileCorrect : letter === answer
  return {
    model,
    qid: raw.qid,
    bin,
    binLabel: String(raw.binLabel),
    question: raw.question,
    choices: raw.choices,
    answer_letter: answer,
    pred_raw: raw.predRaw,
    pred_letter: letter,
    correct,
    parsed: letter !== null,
    rule,
    file_correct: fileCorrect,
    source,
  }
}

/** Counts rows whose file verdict disagrees with ours, for a provenance warning. */
export function verdictDisagreements(rows: EvalRow[]): number {
  let n = 0
  for (const r of rows) if (r.file_correct !== null && r.file_correct !== (r.pred_letter === r.answer_letter)) n++
  return n
}
