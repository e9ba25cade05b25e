import type { BinKey, EvalSource } from '../../common/contract/eval'

export { BIN_KEYS, EVAL_FORMATS, HARNESSES, type BinKey, type BinSummary, type EvalFormat, type EvalSource, type Harness } from '../../common/contract/eval'

/** Published MLE-Bench bin sizes (1,861 questions): used only where a source gives accuracies without counts. */
export const PUBLISHED_BIN_SIZES: Record<BinKey, number> = { '0-30': 732, '30-60': 698, '60-100': 431 }

/** Chance accuracy of a four-way multiple-choice question, drawn on charts. */
export const CHANCE_ACC = 0.25

/** How a prediction's letter was found (parsePrediction's rules, in order), or null when it was not. */
export type ParseRule = 'letter' | 'exact' | 'contains' | 'file-letter'

/** One answered question, normalized across harnesses. */
export interface EvalRow {
  model: string
  /** Question id/index as given by the file (doc_id, index, questionId, id) or the row index. */
  qid: string
  bin: BinKey
  /** The data's own label (e.g. 'existence_0-30'), kept verbatim. */
  binLabel: string
  question: string | null
  choices: string[] | null
  answer_letter: string
  pred_raw: string
  pred_letter: string | null
  correct: boolean
  parsed: boolean
  rule: ParseRule | null
  /** The file's own verdict (lmms-eval is_correct, VLMEvalKit hit) when present. */
  file_correct: boolean | null
  source: EvalSource
}

/** One imported file: its rows plus what the reader noticed. */
export interface ImportedFile {
  model: string
  source: EvalSource
  rows: EvalRow[]
  warnings: string[]
}

