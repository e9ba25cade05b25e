import fs from 'node:fs'
import path from 'node:path'
import { badInput } from '../../../common/errors'
import { statUserFile } from '../../data/userFile'
import { checkJsonDepth, readUserTextChecked } from '../../data/userText'
import { readJsonl } from '../read/jsonl'
import { parseJsonTable, readTable } from '../read/table'
import type { BinSummary, EvalFormat, ImportedFile } from '../types'
import { importCambrian, isCambrianAnswer } from './cambrian'
import type { ImportOptions } from './common'
import { importLmmsResults, isLmmsResults } from './lmmsEvalResults'
import { importLmmsSamples, isLmmsSample } from './lmmsEvalSamples'
import { importPlainJsonl, isPlainPrediction } from './plainJsonl'
import { importVlmevalkit, VLMEVALKIT_COLUMNS } from './vlmevalkit'

export type ReadResult = ({ kind: 'rows' } & ImportedFile) | ({ kind: 'summary' } & BinSummary)

/** Every shape `--format auto` recognises, for the error when none matches. */
export const EXPECTED_SHAPES = [
  'lmms-eval *_samples_<task>.jsonl (keys doc_id, resps/filtered_resps, doc)',
  'lmms-eval *_results.json (a "results" object)',
  `VLMEvalKit table .xlsx/.tsv/.csv/.json (columns ${VLMEVALKIT_COLUMNS})`,
  'Cambrian answers .jsonl (questionId, answer, gt_answer, category, options)',
  'plain .jsonl (sub_task, choices, answer, prediction)',
].join('; ')

/** Refuses a missing file, a folder, a FIFO or a device before any reader (exceljs included) opens it. */
function checkEvalFile(file: string): void {
  if (!fs.existsSync(file)) throw badInput(file, 'no such file')
  statUserFile(file, { what: 'an evaluation file' })
}

/**
 * Reads a benchmark's data.jsonl (question, choices, answer, sub_task per line) for row-index joins;
 * lines with invalid UTF-8 are reported into `warnings` when given.
 */
export function readBenchmark(file: string, warnings?: string[]): Record<string, unknown>[] {
  checkEvalFile(file)
  const { records, warnings: w } = readJsonl(file)
  if (records.length === 0) throw badInput(file, 'has no records; expected one question per line')
  warnings?.push(...w)
  return records
}

/** Which importer a .jsonl file needs, judged from its first record; explains itself when none fits. */
export function sniffJsonl(file: string, first: Record<string, unknown>): Exclude<EvalFormat, 'auto' | 'vlmevalkit'> {
  if (isLmmsSample(first)) return 'lmms-eval'
  if (isCambrianAnswer(first)) return 'cambrian'
  if (isPlainPrediction(first)) return 'jsonl'
  const keys = Object.keys(first).join(', ') || 'none'
  if ('question' in first && 'choices' in first && 'answer' in first) {
    throw badInput(file, `looks like the benchmark's own data (no predictions: keys ${keys}); give it as the benchmark to join with, not as an evaluation file`)
  }
  throw badInput(file, `unrecognised evaluation file (keys ${keys}); expected one of: ${EXPECTED_SHAPES}`)
}

/**
 * Reads one evaluation output into normalized rows (or a bin-level summary for lmms-eval results.json).
 * `format` 'auto' goes by extension and content: .xlsx/.tsv/.csv are VLMEvalKit tables, .json is an lmms-eval
 * results summary when it has a "results" object and a VLMEvalKit table otherwise, .jsonl by its first record.
 */
export async function readEvalFile(file: string, format: EvalFormat = 'auto', opts: ImportOptions = {}): Promise<ReadResult> {
  const ext = path.extname(file).toLowerCase()
  checkEvalFile(file)
  const readWarnings: string[] = []
  const withWarnings = (r: ReadResult): ReadResult => (readWarnings.length ? { ...r, warnings: [...readWarnings, ...r.warnings] } : r)
  if (format === 'vlmevalkit' || (format === 'auto' && ['.xlsx', '.tsv', '.csv'].includes(ext))) {
    if (!['.xlsx', '.tsv', '.csv', '.json'].includes(ext)) throw badInput(file, `a VLMEvalKit table must be .xlsx, .tsv, .csv or .json, got '${ext || 'no extension'}'`)
    return withWarnings({ kind: 'rows', ...importVlmevalkit(file, await readTable(file, readWarnings), opts) })
  }
  if (ext === '.json') {
    const { text, warnings } = readUserTextChecked(file, { what: 'an evaluation file' })
    readWarnings.push(...warnings)
    checkJsonDepth(file, text)
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch (e) {
      throw badInput(file, `not valid JSON (${(e as Error).message}); expected one of: ${EXPECTED_SHAPES}`)
    }
    if (isLmmsResults(doc) && (format === 'auto' || format === 'lmms-eval')) return withWarnings({ kind: 'summary', ...importLmmsResults(file, doc, opts.model) })
    if (format === 'auto') return withWarnings({ kind: 'rows', ...importVlmevalkit(file, parseJsonTable(file, text), opts) })
    throw badInput(file, `a .json file can be an lmms-eval results summary or a VLMEvalKit table, not format ${format}`)
  }
  if (ext !== '.jsonl' && format === 'auto') {
    throw badInput(file, `unsupported extension '${ext || 'none'}'; expected one of: ${EXPECTED_SHAPES}`)
  }
  const { records, warnings } = readJsonl(file)
  readWarnings.push(...warnings)
  if (records.length === 0) throw badInput(file, `is empty; expected one of: ${EXPECTED_SHAPES}`)
  const kind = format === 'auto' ? sniffJsonl(file, records[0]!) : format
  if (kind === 'lmms-eval') return withWarnings({ kind: 'rows', ...importLmmsSamples(file, records, opts) })
  if (kind === 'cambrian') return withWarnings({ kind: 'rows', ...importCambrian(file, records, opts) })
  return withWarnings({ kind: 'rows', ...importPlainJsonl(file, records, opts) })
}
