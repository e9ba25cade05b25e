import { badInput } from '../../common/errors'
import { labelColumn, listColumns, numericColumn, rowRef, type MixtureTable } from './table'
import type { MixtureLayout, ShareSumFlag } from '../../common/contract/mix'

export type { MixtureLayout, ShareSumFlag } from '../../common/contract/mix'

export interface LayoutOverrides {
  /** Explicit source-share columns (recipe tables). */
  shares?: string[]
  x?: string
  y?: string
}

const SUM_DETECT_TOLERANCE = 1

/**
 * What the columns of a mixture table mean. Detection rules (documented for users in CLI.md's `mix`):
 * - reasoning axis: the first numeric column whose name starts with "reason"; visual axis: the first
 *   starting with "visual" or "vision" (e.g. `reasoning_pct`, `visual`).
 * - rank as printed: a numeric column whose name contains "rank"; shown as given, never recomputed.
 * - source shares: the shortest run (≥ 2) of the remaining numeric columns, in file order, whose row
 *   sums are within 1 point of 100 for at least half the rows (the paper's web_crawl … code).
 * - kind: `sources` when the label column is named source*, `recipes` when source shares were found
 *   (or the table has a text label column but no reasoning/visual pair), otherwise `grid` when both
 *   axes exist.
 * - metrics: every other numeric column (t_acc, ppl, v_acc, avg_vqa, …).
 */
export function detectLayout(t: MixtureTable, o: LayoutOverrides = {}): MixtureLayout {
  const label = labelColumn(t)
  for (const c of [o.x, o.y, ...(o.shares ?? [])]) if (c !== undefined) numericColumn(t, c)
  const reasoning = o.x ?? t.numeric.find((c) => /^reason/i.test(c)) ?? null
  const visual = o.y ?? t.numeric.find((c) => /^vis(ual|ion)/i.test(c) && c !== reasoning) ?? null
  const rank = t.numeric.find((c) => /rank/i.test(c) && c !== reasoning && c !== visual) ?? null
  const rest = t.numeric.filter((c) => c !== reasoning && c !== visual && c !== rank)

  if (label && /^source/i.test(label) && !o.x && !o.y && !o.shares) {
    return { kind: 'sources', label, reasoning: null, visual: null, shares: [], metrics: rest, rank }
  }
  const shares = o.shares ?? findShareRun(t, rest)
  const shareSet = new Set(shares)
  const metrics = rest.filter((c) => !shareSet.has(c))
  let kind: MixtureLayout['kind']
  if (shares.length > 0 || (label && !(reasoning && visual))) kind = 'recipes'
  else if (reasoning && visual) kind = 'grid'
  else {
    throw badInput(t.name, `cannot tell a grid from a recipe table: no reasoning*/visual* column pair and no source-share columns summing to 100 (columns: ${listColumns(t.columns)}); name the axes as x and y`)
  }
  return { kind, label, reasoning, visual, shares, metrics, rank }
}

/**
 * Row sums of the first k candidates are kept from one k to the next (one column added each step,
 * in the same order as summing the run afresh, so the sums are bit-identical): rows × columns work,
 * not rows × columns², so tables with very many columns stay quick.
 */
function findShareRun(t: MixtureTable, candidates: string[]): string[] {
  const sums = new Float64Array(t.rows.length)
  for (let k = 1; k <= candidates.length; k++) {
    const c = candidates[k - 1]!
    let near = 0
    t.rows.forEach((r, i) => {
      sums[i] = sums[i]! + ((r[c] as number | null) ?? 0)
      if (Math.abs(sums[i] - 100) <= SUM_DETECT_TOLERANCE) near++
    })
    if (k >= 2 && near * 2 >= t.rows.length && near > 0) return candidates.slice(0, k)
  }
  return []
}

/**
 * Default tolerance on a recipe's share sum: 0.5 points, the worst rounding of ten shares printed to
 * one decimal (10 × 0.05); the paper's mix1 (99.9) and mix5 (100.1) pass.
 */
export const SHARE_SUM_TOLERANCE = 0.5

/**
 * Checks share columns: every cell must be a number in [0, 100] (errors name row and column); rows
 * whose shares do not sum to 100 within `sumTolerance` are returned as flags, not rejected. Pass
 * `sumTolerance: null` for axes that need not sum to 100 (a grid's reasoning and visual shares are
 * multi-label categories of a larger mix).
 */
export function validateShares(t: MixtureTable, columns: string[], opts: { sumTolerance?: number | null } = {}): ShareSumFlag[] {
  const label = labelColumn(t)
  const tol = opts.sumTolerance === undefined ? SHARE_SUM_TOLERANCE : opts.sumTolerance
  for (const c of columns) numericColumn(t, c)
  const flags: ShareSumFlag[] = []
  t.rows.forEach((r, i) => {
    let s = 0
    for (const c of columns) {
      const v = r[c]
      if (typeof v !== 'number') throw badInput(t.name, `${rowRef(t, i, label)}, column "${c}": share is missing; shares must be numbers in [0, 100]`)
      if (!(v >= 0 && v <= 100)) throw badInput(t.name, `${rowRef(t, i, label)}, column "${c}": share ${v} is outside [0, 100] (shares are in percent)`)
      s += v
    }
    if (tol !== null && Math.abs(s - 100) > tol) flags.push({ row: t.rowNumbers[i]!, label: label ? (r[label] as string | null) : null, sum: round(s, 6) })
  })
  return flags
}

function round(x: number, d: number): number {
  const f = 10 ** d
  return Math.round(x * f) / f
}
