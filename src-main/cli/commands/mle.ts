import { badInput } from '../../common/errors'
import { EVAL_FORMATS, VERDICT_POLICIES, type EvalFormat, type VerdictPolicy } from '../../common/contract/eval'
import { readBenchmark, readEvalFile } from '../../core/eval/import/readEvalFile'
import { mleBreakdown } from '../../core/eval/mleBreakdown'
import type { MleResult } from '../../core/eval/mleBreakdown'
import { BIN_KEYS } from '../../core/eval/types'
import type { BinSummary, EvalRow } from '../../core/eval/types'
import type { Command } from '../command'

/** The CLI.md JSON for an MleResult: contract keys, plus top-level provenance and warnings. */
export function mleJson(res: MleResult): unknown {
  return {
    models: res.models.map((m) => ({
      name: m.name,
      n: m.n,
      bins: m.bins,
      overall_weighted: m.overall_weighted,
      overall_unweighted: m.overall_unweighted,
      unparsed: m.unparsed,
    })),
    paired: res.paired.map((p) => ({ a: p.a, b: p.b, bin: p.bin, n: p.n, delta: p.delta, p_value: p.p_value })),
    warnings: res.warnings,
    sources: res.models.flatMap((m) => m.sources.map((s) => ({ model: m.name, ...s, estimated: m.estimated ?? false }))),
    chance: res.chance,
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

export function mleText(res: MleResult): string {
  const lines: string[] = []
  for (const m of res.models) {
    lines.push(`${m.name}  (n=${m.n}${m.estimated ? ', counts from published bin sizes' : ''}, unparsed ${m.unparsed})`)
    for (const b of BIN_KEYS) {
      const s = m.bins[b]
      lines.push(s ? `  ${b.padEnd(7)} ${String(s.correct).padStart(5)}/${String(s.n).padEnd(5)} ${pct(s.acc).padStart(6)}  95% CI ${pct(s.ci95[0])}–${pct(s.ci95[1])}` : `  ${b.padEnd(7)} —`)
    }
    lines.push(`  overall ${pct(m.overall_weighted)} sample-weighted (paper), ${pct(m.overall_unweighted)} mean of bins (lmms-eval)`)
  }
  if (res.paired.length) {
    lines.push('', 'paired (delta = a − b on shared questions, exact McNemar p):')
    for (const p of res.paired) lines.push(`  ${p.a} vs ${p.b}  ${p.bin.padEnd(7)} n=${p.n}  delta ${(100 * p.delta).toFixed(1)} pts  p=${p.p_value.toPrecision(3)}`)
  }
  for (const w of res.warnings) lines.push(`warning: ${w}`)
  lines.push(`chance: ${pct(res.chance)}`)
  return lines.join('\n')
}

export const command: Command = {
  name: 'mle',
  summary: 'MLE-Bench accuracy by object size (with paired comparisons) from evaluation outputs',
  usage:
    'mle FILE... [--format auto|lmms-eval|vlmevalkit|cambrian|jsonl] [--model NAME[,NAME...]] [--benchmark data.jsonl] [--verdict reparse|file]\n' +
    '  --model      labels in the files\' order (comma list; default: from the file names)\n' +
    '  --benchmark  the benchmark\'s data.jsonl, joined by row index when a file lacks question fields\n' +
    '  --verdict    reparse (default: read every answer with the paper\'s parser) or file (keep the harness/judge verdict)\n' +
    '  Questions are matched across files by question id (doc_id/index/questionId/id, else row index), falling back to question text + options.',
  flags: ['format', 'model', 'benchmark', 'verdict'],
  async run(ctx) {
    const files = ctx.args.positional
    if (files.length === 0) throw badInput('mle', 'give at least one evaluation file')
    const fmt = ctx.args.flags.format
    if (fmt !== undefined && (fmt === true || !(EVAL_FORMATS as readonly string[]).includes(fmt))) throw badInput('--format', `expected one of ${EVAL_FORMATS.join(', ')}, got ${fmt === true ? 'nothing' : fmt}`)
    const v = ctx.args.flags.verdict
    if (v !== undefined && (v === true || !(VERDICT_POLICIES as readonly string[]).includes(v))) throw badInput('--verdict', `expected reparse or file, got ${v === true ? 'nothing' : v}`)
    const m = ctx.args.flags.model
    if (m === true) throw badInput('--model', 'expected a name or a comma-separated list of names')
    const names = m === undefined ? [] : m.split(',').map((s) => s.trim())
    if (names.length > files.length) throw badInput('--model', `${names.length} names for ${files.length} file(s)`)
    if (names.some((n) => !n)) throw badInput('--model', 'a name in the list is empty')
    const b = ctx.args.flags.benchmark
    if (b === true) throw badInput('--benchmark', 'expected the path of the benchmark\'s data.jsonl')
    const fileWarnings: string[] = []
    const benchmark = b ? readBenchmark(b, fileWarnings) : undefined
    const rows: EvalRow[] = []
    const summaries: BinSummary[] = []
    const seen = new Map<string, string>()
    for (let i = 0; i < files.length; i++) {
      ctx.progress(i / files.length, `reading ${files[i]}`)
      const r = await readEvalFile(files[i]!, (fmt as EvalFormat | undefined) ?? 'auto', { model: names[i], benchmark, verdict: v as VerdictPolicy | undefined })
      const prev = seen.get(r.model)
      if (prev !== undefined) throw badInput(files[i]!, `its model name '${r.model}' is already used by ${prev}; label the files with --model a,b,...`)
      seen.set(r.model, files[i]!)
      if (r.kind === 'rows') rows.push(...r.rows)
      else summaries.push(r)
      if (r.kind === 'rows') fileWarnings.push(...r.warnings)
    }
    ctx.progress(1, 'done')
    const res = mleBreakdown(rows, summaries)
    res.warnings.unshift(...fileWarnings)
    return { json: mleJson(res), text: mleText(res) }
  },
}
