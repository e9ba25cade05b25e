import { badInput } from '../../common/errors'
import { flagNumber, flagString } from '../args'
import type { Command } from '../command'
import { analyseMixture, type MixtureAnalysis } from '../../core/mix/analyseMixture'
import { parseDirections } from '../../core/mix/rankRecipes'
import { readMixtureTable } from '../../core/mix/readTable'

const USAGE = `Usage: platonic-lab mix FILE [options]

Data-mixture analysis of a long-form grid (reasoning, visual, value) or a recipe table (one row per
recipe: source shares in %, metric columns). FILE is .csv, .json or .xlsx.

Options:
  --target COLUMN      value to optimise (grid: the numeric column besides the axes; recipes: v_acc if present)
  --x COLUMN           first axis of the fit (default: first column named reasoning*)
  --y COLUMN           second axis (default: first column named visual*/vision*)
  --sources FILE       per-source category table (e.g. the paper's Table 4): derive each recipe's reasoning and
                       visual shares, flag recipes whose printed shares disagree, and fit on the derived shares
  --shares A,B,...     source-share columns of a recipe table (default: detected, the columns summing to 100)
  --direction SPEC     metric directions, e.g. ppl:lower,t_acc:higher (default: ppl/loss/error/rank lower, others higher)
  --method NAME        recipe ranking: mean-rank (default) or weighted-score
  --weights SPEC       weights for weighted-score, e.g. v_acc:2,t_acc:1
  --resamples N        bootstrap resamples for the optimum's interval (default 200, 0 to skip)
  --seed N             bootstrap seed (default 1)`

export const command: Command = {
  name: 'mix',
  summary: 'data-mixture analysis of a recipe table or grid',
  usage: USAGE,
  flags: ['target', 'x', 'y', 'sources', 'shares', 'direction', 'method', 'weights', 'resamples', 'seed'],
  async run(ctx) {
    const file = ctx.args.positional[0]
    if (!file) throw badInput('mix', 'expected a table file: platonic-lab mix FILE')
    if (ctx.args.positional.length > 1) throw badInput('mix', `expected one table file, got ${ctx.args.positional.length} arguments`)
    const method = flagString(ctx.args, 'method', 'mean-rank')
    if (method !== 'mean-rank' && method !== 'weighted-score') throw badInput('--method', `expected mean-rank or weighted-score, got "${method}"`)
    const directionSpec = flagString(ctx.args, 'direction')
    const weightSpec = flagString(ctx.args, 'weights')
    const sharesSpec = flagString(ctx.args, 'shares')
    const sourcesFile = flagString(ctx.args, 'sources')
    const table = await readMixtureTable(file)
    const sources = sourcesFile ? await readMixtureTable(sourcesFile) : undefined
    const a = analyseMixture(table, {
      target: flagString(ctx.args, 'target'),
      x: flagString(ctx.args, 'x'),
      y: flagString(ctx.args, 'y'),
      shares: sharesSpec ? sharesSpec.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      sources,
      directions: directionSpec ? parseDirections(directionSpec) : undefined,
      method,
      weights: weightSpec ? parseWeights(weightSpec) : undefined,
      resamples: flagNumber(ctx.args, 'resamples', 200, { int: true, min: 0, max: 100000 }),
      seed: flagNumber(ctx.args, 'seed', 1, { int: true, min: 0 }),
    })
    return { json: mixJson(a), text: mixText(a, table.name) }
  },
}

function parseWeights(spec: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+?)[:=](.+)$/.exec(part)
    const w = m ? Number(m[2]) : NaN
    if (!m || !Number.isFinite(w) || w < 0) throw badInput('--weights', `"${part}" should look like COLUMN:WEIGHT with a non-negative number`)
    out[m[1]!.trim()] = w
  }
  return out
}

/** The --json document: the CLI.md contract keys (rows, best_observed, fit, warnings) plus extras. */
export function mixJson(a: MixtureAnalysis): Record<string, unknown> {
  const f = a.fit
  return {
    rows: a.rows,
    kind: a.kind,
    target: a.target,
    direction: a.direction,
    x: a.x,
    y: a.y,
    best_observed: a.best_observed,
    fit: f
      ? {
          kind: f.kind,
          r2: f.r2,
          optimum: { x: f.optimum.x, y: f.optimum.y, predicted: f.optimum.predicted, where: f.optimum.where, interval: f.optimum.interval },
          coefficients: f.coefficients,
          n: f.n,
          rmse: f.rmse,
          loo_rmse: f.looRmse,
          mean_loo_rmse: f.meanLooRmse,
          region: f.region,
        }
      : null,
    warnings: a.warnings,
    layout: a.layout,
    ...(a.heatmap ? { heatmap: a.heatmap } : {}),
    ...(a.table
      ? {
          ranking: { method: a.table.method, description: a.table.description, directions: a.table.directions, weights: a.table.weights },
          table: a.table.rows.map((r) => ({ label: r.label, rank: r.rank, score: r.score, rank_as_given: r.rank_as_given, metric_ranks: r.metricRanks })),
        }
      : {}),
    ...(a.derived
      ? {
          derived_shares: {
            formula: a.derived.formula,
            mapping: a.derived.mapping,
            disagreeing: a.derived.disagreeing,
            rows: a.derived.rows,
          },
        }
      : {}),
    share_sum_flags: a.share_sum_flags,
  }
}

function fmt(v: number | null | undefined, d = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toFixed(d)).toString()
}

function mixText(a: MixtureAnalysis, name: string): string {
  const out: string[] = [`${name}: ${a.kind} table, ${a.rows} rows; target ${a.target ?? '—'} (${a.direction} is better)`]
  if (a.best_observed) {
    const b = a.best_observed
    const where = a.kind === 'grid' && a.layout.reasoning && a.layout.visual ? `${b[a.layout.reasoning]} / ${b[a.layout.visual]}` : String(a.layout.label ? b[a.layout.label] : '')
    out.push(`best observed: ${where} → ${a.target ? b[a.target] : ''}`)
  }
  if (a.fit) {
    const f = a.fit
    const c = f.coefficients
    out.push(`fit: ${f.kind} in ${a.x} and ${a.y}; R² ${fmt(f.r2)}, LOO RMSE ${fmt(f.looRmse)} (mean-only ${fmt(f.meanLooRmse)})`)
    out.push(`  z = ${fmt(c.b0, 4)} + ${fmt(c.b1, 5)}·x + ${fmt(c.b2, 5)}·y + ${fmt(c.b3, 6)}·x² + ${fmt(c.b4, 6)}·xy + ${fmt(c.b5, 6)}·y²`)
    const iv = f.optimum.interval
    out.push(
      `  predicted optimum in the sampled region (convex hull): x ${fmt(f.optimum.x, 1)}, y ${fmt(f.optimum.y, 1)} → ${fmt(f.optimum.predicted, 2)} (${f.optimum.where})` +
        (iv ? `; ${Math.round(iv.level * 100)}% bootstrap: x ${fmt(iv.x[0], 1)}–${fmt(iv.x[1], 1)}, y ${fmt(iv.y[0], 1)}–${fmt(iv.y[1], 1)}, value ${fmt(iv.predicted[0], 2)}–${fmt(iv.predicted[1], 2)}` : ''),
    )
  }
  if (a.table) {
    out.push(`ranking: ${a.table.description}`)
    const hasGiven = a.table.rows.some((r) => r.rank_as_given !== null)
    for (const r of [...a.table.rows].sort((p, q) => p.rank - q.rank)) {
      out.push(`  ${String(r.rank).padStart(3)}  ${(r.label ?? `row ${r.row}`).padEnd(12)} score ${fmt(r.score)}${hasGiven ? `  printed rank ${r.rank_as_given ?? '—'}` : ''}`)
    }
  }
  if (a.derived) {
    out.push(`derived shares (${a.derived.formula}):`)
    for (const r of a.derived.rows) {
      out.push(
        `  ${(r.label ?? `row ${r.row}`).padEnd(12)} reasoning ${fmt(r.reasoning, 1)} (printed ${fmt(r.reasoningGiven, 1)})  visual ${fmt(r.visual, 1)} (printed ${fmt(r.visualGiven, 1)})${r.disagrees ? '  ← disagrees' : ''}`,
      )
    }
  }
  for (const w of a.warnings) out.push(`warning: ${w}`)
  return out.join('\n')
}
