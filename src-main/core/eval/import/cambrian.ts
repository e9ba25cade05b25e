import { badInput } from '../../../common/errors'
import { buildRow } from '../buildRow'
import type { EvalSource, ImportedFile } from '../types'
import { choicesOf, defaultModelName, pick, str } from './common'
import type { ImportOptions } from './common'

export function isCambrianAnswer(rec: Record<string, unknown>): boolean {
  return 'questionId' in rec || ('gt_answer' in rec && 'answer' in rec)
}

/** Options written as "A. curtain" / "(A) curtain" / "A) curtain" lose the letter prefix when all carry it. */
function stripLetterPrefixes(options: string[]): string[] {
  const re = /^\s*\(?([A-Z])[.):]\s*/
  const all = options.every((o, i) => {
    const m = re.exec(o)
    return m && m[1] === String.fromCharCode(65 + i)
  })
  return all ? options.map((o) => o.replace(re, '')) : options
}

/**
 * Cambrian-style answer JSONL: questionId, answer (the model's output), gt_answer (letter or option text),
 * category (size bin), options (list), prompt/question; model_id names the model when present.
 */
export function importCambrian(file: string, records: Record<string, unknown>[], opts: ImportOptions = {}): ImportedFile {
  if (records.length === 0) throw badInput(file, 'has no answers')
  const model = opts.model ?? str(records[0]!.model_id) ?? defaultModelName(file)
  const source: EvalSource = { file, harness: 'cambrian', shape: 'answers-jsonl', judge: null }
  const rows = records.map((rec, i) => {
    const where = `${file}:${i + 1}`
    if (!isCambrianAnswer(rec)) throw badInput(where, 'is not a Cambrian answer; expected questionId, answer, gt_answer, category, options')
    const bench = opts.benchmark?.[i]
    const options = choicesOf(pick(rec, bench, 'options', 'choices'))
    const gt = str(rec.gt_answer) ?? str(bench?.answer)
    return buildRow(
      model,
      source,
      where,
      {
        qid: str(rec.questionId) ?? String(i),
        binLabel: pick(rec, bench, 'category', 'sub_task'),
        question: str(pick(rec, bench, 'question', 'prompt')),
        choices: options ? stripLetterPrefixes(options) : null,
        answerText: gt,
        predRaw: str(rec.answer) ?? '',
      },
      opts.verdict,
    )
  })
  return { model, source, rows, warnings: [] }
}
