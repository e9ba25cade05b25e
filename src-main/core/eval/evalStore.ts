import crypto from 'node:crypto'
import path from 'node:path'
import { AppError, badInput } from '../../common/errors'
import { fileSha256 } from '../store/fileHash'
import type { Workspace } from '../store/workspace'
import type { VerdictPolicy } from './buildRow'
import { readBenchmark, readEvalFile } from './import/readEvalFile'
import { mleBreakdown } from './mleBreakdown'
import type { MleResult } from './mleBreakdown'
import type { BinKey, EvalFormat, EvalRow, Harness, ParseRule } from './types'
import type { EvalRunInfo } from '../../common/contract/eval'

export type { EvalRunInfo } from '../../common/contract/eval'

export interface ImportEvalOptions {
  format?: EvalFormat
  /** Labels in the files' order; missing ones default from the file names. */
  models?: string[]
  /** The benchmark's data.jsonl, joined by row index where a file lacks fields. */
  benchmark?: string
  verdict?: VerdictPolicy
}

interface RunRow extends Omit<EvalRunInfo, 'warnings' | 'harness' | 'verdict' | 'benchmarkFile' | 'importedAt'> {
  warnings: string
  harness: string
  verdict: string
  benchmark_file: string | null
  imported_at: string
}

const toInfo = ({ benchmark_file, imported_at, ...r }: RunRow): EvalRunInfo => ({
  ...r,
  harness: r.harness as Harness,
  verdict: r.verdict as VerdictPolicy,
  benchmarkFile: benchmark_file,
  warnings: JSON.parse(r.warnings) as string[],
  importedAt: imported_at,
})

/**
 * Imports evaluation files as runs with their per-question rows. A file already imported with the same
 * content hash, model label and verdict policy is not read again (its existing run is returned, `cached`).
 * All files are read before anything is written, so a bad file leaves the workspace unchanged.
 * lmms-eval *_results.json summaries hold no per-question rows and are refused here (the `mle` command
 * and mleBreakdown accept them).
 */
export async function importEvalFiles(ws: Workspace, files: string[], opts: ImportEvalOptions = {}): Promise<{ runs: (EvalRunInfo & { cached: boolean })[] }> {
  const benchmark = opts.benchmark ? readBenchmark(opts.benchmark) : undefined
  const verdict = opts.verdict ?? 'reparse'
  const pending: { run: EvalRunInfo; rows: EvalRow[] | null }[] = []
  for (let i = 0; i < files.length; i++) {
    const file = path.resolve(files[i]!)
    const { sha256 } = fileSha256(ws, file)
    const read = await readEvalFile(file, opts.format ?? 'auto', { model: opts.models?.[i], benchmark, verdict })
    if (read.kind === 'summary') throw badInput(file, 'is a results summary without per-question rows; import the *_samples_<task>.jsonl file instead')
    const existing = ws.db.prepare('SELECT * FROM eval_runs WHERE sha256 = ? AND model = ? AND verdict = ?').get(sha256, read.model, verdict) as RunRow | undefined
    if (existing) {
      pending.push({ run: toInfo(existing), rows: null })
      continue
    }
    pending.push({
      run: {
        id: crypto.randomUUID(),
        model: read.model,
        file,
        sha256,
        harness: read.source.harness,
        shape: read.source.shape,
        judge: read.source.judge,
        verdict,
        benchmarkFile: opts.benchmark ? path.resolve(opts.benchmark) : null,
        n: read.rows.length,
        warnings: read.warnings,
        importedAt: new Date().toISOString(),
      },
      rows: read.rows,
    })
  }
  ws.tx(() => {
    const insRun = ws.db.prepare(
      `INSERT INTO eval_runs(id, model, file, sha256, harness, shape, judge, verdict, benchmark_file, n, warnings, imported_at)
       VALUES (@id, @model, @file, @sha256, @harness, @shape, @judge, @verdict, @benchmarkFile, @n, @warnings, @importedAt)`,
    )
    const insRow = ws.db.prepare(
      `INSERT INTO eval_rows(run_id, ord, qid, bin, bin_label, question, choices, answer_letter, pred_raw, pred_letter, correct, parsed, rule, file_correct)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const p of pending) {
      if (!p.rows) continue
      insRun.run({ ...p.run, warnings: JSON.stringify(p.run.warnings) })
      p.rows.forEach((r, i) =>
        insRow.run(p.run.id, i, r.qid, r.bin, r.binLabel, r.question, r.choices ? JSON.stringify(r.choices) : null, r.answer_letter, r.pred_raw, r.pred_letter, r.correct ? 1 : 0, r.parsed ? 1 : 0, r.rule, r.file_correct === null ? null : r.file_correct ? 1 : 0),
      )
    }
  })
  return { runs: pending.map((p) => ({ ...p.run, cached: p.rows === null })) }
}

export function countEvalRuns(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM eval_runs').get() as { n: number }).n
}

export function listEvalRuns(ws: Workspace): EvalRunInfo[] {
  return (ws.db.prepare('SELECT * FROM eval_runs ORDER BY imported_at, rowid').all() as RunRow[]).map(toInfo)
}

function runsById(ws: Workspace, runIds: string[]): EvalRunInfo[] {
  return runIds.map((id) => {
    const r = ws.db.prepare('SELECT * FROM eval_runs WHERE id = ?').get(id) as RunRow | undefined
    if (!r) throw new AppError('NOT_FOUND', `evaluation run ${id} is not in this workspace`)
    return toInfo(r)
  })
}

/** The stored rows of the given runs; two runs with the same model label get distinct names ("m (2)"). */
export function rowsFor(ws: Workspace, runIds: string[]): EvalRow[] {
  const runs = runsById(ws, runIds)
  const used = new Map<string, number>()
  const out: EvalRow[] = []
  const sel = ws.db.prepare('SELECT * FROM eval_rows WHERE run_id = ? ORDER BY ord')
  for (const run of runs) {
    const k = (used.get(run.model) ?? 0) + 1
    used.set(run.model, k)
    const model = k === 1 ? run.model : `${run.model} (${k})`
    const source = { file: run.file, harness: run.harness, shape: run.shape, judge: run.judge }
    for (const r of sel.all(run.id) as Record<string, unknown>[]) {
      out.push({
        model,
        qid: r.qid as string,
        bin: r.bin as BinKey,
        binLabel: r.bin_label as string,
        question: (r.question as string | null) ?? null,
        choices: r.choices === null ? null : (JSON.parse(r.choices as string) as string[]),
        answer_letter: r.answer_letter as string,
        pred_raw: r.pred_raw as string,
        pred_letter: (r.pred_letter as string | null) ?? null,
        correct: r.correct === 1,
        parsed: r.parsed === 1,
        rule: (r.rule as ParseRule | null) ?? null,
        file_correct: r.file_correct === null ? null : r.file_correct === 1,
        source,
      })
    }
  }
  return out
}

/** The MLE-Bench breakdown (and paired comparisons) of stored runs, derived from their rows. */
export function breakdownFor(ws: Workspace, runIds: string[]): MleResult {
  const res = mleBreakdown(rowsFor(ws, runIds))
  for (const run of runsById(ws, runIds)) res.warnings.unshift(...run.warnings)
  return res
}

/** Deletes a run and its rows; false when it did not exist. */
export function deleteEvalRun(ws: Workspace, runId: string): boolean {
  return ws.tx(() => {
    ws.db.prepare('DELETE FROM eval_rows WHERE run_id = ?').run(runId)
    return ws.db.prepare('DELETE FROM eval_runs WHERE id = ?').run(runId).changes > 0
  })
}
