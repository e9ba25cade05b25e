/** MLE-Bench object-size bins (share of image pixels covered by the object), in the paper's order. */
export const BIN_KEYS = ['0-30', '30-60', '60-100'] as const
export type BinKey = (typeof BIN_KEYS)[number]

/** Published MLE-Bench bin sizes (1,861 questions): used only where a source gives accuracies without counts. */
export const PUBLISHED_BIN_SIZES: Record<BinKey, number> = { '0-30': 732, '30-60': 698, '60-100': 431 }

/** Chance accuracy of a four-way multiple-choice question, drawn on charts. */
export const CHANCE_ACC = 0.25

export type Harness = 'lmms-eval' | 'vlmevalkit' | 'cambrian' | 'jsonl'
export type EvalFormat = Harness | 'auto'

/** Where a row came from: shown next to every figure derived from it. */
export interface EvalSource {
  file: string
  harness: Harness
  /** e.g. 'samples-nested', 'samples-flat', 'xlsx', 'tsv', 'csv', 'json', 'answers-jsonl', 'plain-jsonl' */
  shape: string
  /** The judge named in a VLMEvalKit `_<judge>_result` file name, else null. */
  judge: string | null
}

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

/** Bin-level result without per-question rows (lmms-eval *_results.json, the paper's table). */
export interface BinSummary {
  model: string
  source: EvalSource | { file: string; harness: 'paper'; shape: 'table'; judge: null }
  /** Accuracies in [0,1]; n from the file or the published bin sizes (then `estimated` is true). */
  bins: Partial<Record<BinKey, { n: number; acc: number }>>
  estimated: boolean
  warnings: string[]
}
