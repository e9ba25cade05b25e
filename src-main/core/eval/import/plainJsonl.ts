import { badInput } from '../../../common/errors'
import { buildRow } from '../buildRow'
import type { EvalSource, ImportedFile } from '../types'
import { choicesOf, defaultModelName, pick, str } from './common'
import type { ImportOptions } from './common'

export function isPlainPrediction(rec: Record<string, unknown>): boolean {
  return 'prediction' in rec || 'pred' in rec || 'response' in rec
}

/**
 * Plain JSONL: one object per question with prediction (free text), sub_task, choices and answer (the
 * correct option's text); missing question fields come from the benchmark's data.jsonl at the same row.
 * The question id is `id`/`question_id`/`index` when present, else the row index.
 */
export function importPlainJsonl(file: string, records: Record<string, unknown>[], opts: ImportOptions = {}): ImportedFile {
  if (records.length === 0) throw badInput(file, 'has no predictions')
  if (opts.benchmark && opts.benchmark.length !== records.length) {
    throw badInput(file, `has ${records.length} predictions but the benchmark data has ${opts.benchmark.length} records; a join by row index needs equal counts`)
  }
  const model = opts.model ?? defaultModelName(file)
  const source: EvalSource = { file, harness: 'jsonl', shape: opts.benchmark ? 'plain-jsonl+data' : 'plain-jsonl', judge: null }
  const rows = records.map((rec, i) => {
    const where = `${file}:${i + 1}`
    const bench = opts.benchmark?.[i]
    const pred = str(pick(rec, undefined, 'prediction', 'pred', 'response'))
    if (pred === null) throw badInput(where, 'has no prediction; expected a "prediction" field with the model\'s output')
    const answer = pick(rec, bench, 'answer', 'answer_text')
    return buildRow(
      model,
      source,
      where,
      {
        qid: str(pick(rec, bench, 'id', 'question_id', 'index')) ?? String(i),
        binLabel: pick(rec, bench, 'sub_task', 'category'),
        question: str(pick(rec, bench, 'question')),
        choices: choicesOf(pick(rec, bench, 'choices', 'options')),
        answerText: str(answer),
        predRaw: pred,
      },
      opts.verdict,
    )
  })
  return { model, source, rows, warnings: [] }
}
