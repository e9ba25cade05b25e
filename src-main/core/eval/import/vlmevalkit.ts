import path from 'node:path'
import { badInput } from '../../../common/errors'
import { buildRow } from '../buildRow'
import type { TableRow } from '../read/table'
import type { EvalSource, ImportedFile } from '../types'
import { defaultModelName, disagreementWarning, pick, str } from './common'
import type { ImportOptions } from './common'

export const VLMEVALKIT_COLUMNS = 'index, question, A, B, C, D, answer, category, prediction (hit optional)'

export function looksLikeVlmevalkit(columns: string[]): boolean {
  const c = new Set(columns)
  return c.has('prediction') && c.has('A') && c.has('B') && (c.has('answer') || c.has('index'))
}

/** `<model>_<dataset>_<judge>_result.xlsx` names the judge; a plain prediction table has none. */
export function judgeOf(file: string): string | null {
  const m = /_(exact_matching|[^_]+)_result\.(xlsx|tsv|csv|json)$/i.exec(path.basename(file))
  return m ? m[1]! : null
}

const truthy = (v: unknown): boolean | null => {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase()
    if (['1', '1.0', 'true', 'yes'].includes(s)) return true
    if (['0', '0.0', 'false', 'no'].includes(s)) return false
  }
  return null
}

/**
 * VLMEvalKit prediction and judge-result tables (.xlsx/.tsv/.csv/.json): options in columns A, B, C, ...
 * (empty cells end the list), `answer` a letter, `category` the size bin, `prediction` the output and,
 * in `_<judge>_result` tables, `hit` the judge's verdict.
 */
export function importVlmevalkit(file: string, table: TableRow[], opts: ImportOptions = {}): ImportedFile {
  if (table.length === 0) throw badInput(file, `has no rows; expected columns ${VLMEVALKIT_COLUMNS}`)
  const cols = Object.keys(table[0]!)
  if (!looksLikeVlmevalkit(cols)) {
    throw badInput(file, `is not a VLMEvalKit table; expected columns ${VLMEVALKIT_COLUMNS}, found ${cols.join(', ') || 'none'}`)
  }
  const model = opts.model ?? defaultModelName(file)
  const ext = path.extname(file).slice(1).toLowerCase()
  const source: EvalSource = { file, harness: 'vlmevalkit', shape: ext, judge: judgeOf(file) }
  const optionCols = 'ABCDEFGHIJ'.split('').filter((l) => cols.includes(l))
  const rows = table.map((rec, i) => {
    const where = `${file}: row ${i + 2}`
    const bench = opts.benchmark?.[i]
    const choices: string[] = []
    for (const l of optionCols) {
      const v = str(rec[l])
      if (v === null || v.trim() === '' || v === 'nan') break
      choices.push(v)
    }
    return buildRow(
      model,
      source,
      where,
      {
        qid: str(rec.index) ?? String(i),
        binLabel: pick(rec, bench, 'category', 'sub_task', 'l2-category'),
        question: str(pick(rec, bench, 'question')),
        choices: choices.length ? choices : null,
        answerLetter: str(rec.answer),
        answerText: str(pick(rec, bench, 'answer')),
        predRaw: str(rec.prediction) ?? '',
        fileCorrect: 'hit' in rec ? truthy(rec.hit) : null,
      },
      opts.verdict,
    )
  })
  return { model, source, rows, warnings: disagreementWarning(file, rows, source.judge ? `the ${source.judge} judge` : 'VLMEvalKit') }
}
