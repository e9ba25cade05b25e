import { badInput } from '../../../common/errors'
import { buildRow } from '../buildRow'
import type { EvalSource, ImportedFile } from '../types'
import { choicesOf, defaultModelName, disagreementWarning, pick, str } from './common'
import type { ImportOptions } from './common'

/** True when a record looks like one line of an lmms-eval `*_samples_<task>.jsonl`. */
export function isLmmsSample(rec: Record<string, unknown>): boolean {
  return 'doc_id' in rec && ('resps' in rec || 'filtered_resps' in rec)
}

/** The first string in a (possibly nested) response list, or the string itself. */
function firstText(v: unknown): string | null {
  if (typeof v === 'string') return v
  if (Array.isArray(v) && v.length) return firstText(v[0])
  return null
}

/** lmms-eval's per-question metric payload: the mle_bench task logs it under the bin key and 'average'. */
function payloadOf(rec: Record<string, unknown>): Record<string, unknown> | undefined {
  const isPayload = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && ('is_correct' in v || 'gt_letter' in v)
  if (isPayload(rec.average)) return rec.average
  for (const [k, v] of Object.entries(rec)) if (k !== 'doc' && isPayload(v)) return v
  return undefined
}

function payloadBinKey(rec: Record<string, unknown>): string | undefined {
  for (const [k, v] of Object.entries(rec)) {
    if (k !== 'average' && k !== 'doc' && typeof v === 'object' && v !== null && !Array.isArray(v) && 'is_correct' in v) return k
  }
  return undefined
}

/**
 * lmms-eval per-question samples in both shapes: the older nested one (resps: [["out"]], filtered_resps:
 * ["out"]) and the flat 2026 one (resps: ["out"], filtered_resps: "out"). The prediction is the filtered
 * response (else the raw response, else the payload's pred_raw); question/choices/answer/sub_task come from
 * `doc`, the metric payload, or the benchmark's data.jsonl at index doc_id.
 */
export function importLmmsSamples(file: string, records: Record<string, unknown>[], opts: ImportOptions = {}): ImportedFile {
  if (records.length === 0) throw badInput(file, 'has no samples')
  const model = opts.model ?? defaultModelName(file)
  const first = records[0]!
  const nested = Array.isArray(first.filtered_resps) || (Array.isArray(first.resps) && Array.isArray((first.resps as unknown[])[0]))
  const source: EvalSource = { file, harness: 'lmms-eval', shape: nested ? 'samples-nested' : 'samples-flat', judge: null }
  const rows = records.map((rec, i) => {
    const where = `${file}:${i + 1}`
    if (!isLmmsSample(rec)) throw badInput(where, 'is not an lmms-eval sample; expected keys doc_id and resps/filtered_resps')
    const doc = (typeof rec.doc === 'object' && rec.doc !== null ? rec.doc : {}) as Record<string, unknown>
    const payload = payloadOf(rec) ?? {}
    const docId = typeof rec.doc_id === 'number' ? rec.doc_id : Number(rec.doc_id)
    const bench = opts.benchmark?.[Number.isInteger(docId) ? docId : i]
    const merged = { ...payload, ...doc }
    const pred = firstText(rec.filtered_resps) ?? firstText(rec.resps) ?? str(payload.pred_raw)
    if (pred === null) throw badInput(where, 'has no model response; expected filtered_resps or resps holding the output text')
    const target = str(rec.target)
    return buildRow(
      model,
      source,
      where,
      {
        qid: str(rec.doc_id) ?? String(i),
        binLabel: pick(merged, bench, 'sub_task', 'category') ?? payloadBinKey(rec),
        question: str(pick(merged, bench, 'question')),
        choices: choicesOf(pick(merged, bench, 'choices', 'options')),
        answerLetter: str(payload.gt_letter) ?? (target && /^\s*[A-Z]\s*$/.test(target) ? target : null),
        answerText: str(pick(doc, bench, 'answer', 'answer_text')) ?? target,
        predRaw: pred,
        fileLetter: str(payload.pred_letter),
        fileCorrect: typeof payload.is_correct === 'boolean' ? payload.is_correct : null,
      },
      opts.verdict,
    )
  })
  return { model, source, rows, warnings: disagreementWarning(file, rows, 'lmms-eval') }
}
