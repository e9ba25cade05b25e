import { badArg, badInput } from '../../common/errors'
import { deriveShares, type DerivedShares } from './deriveShares'
import { gridHeatmap, type GridHeatmap } from './grid'
import { detectLayout, validateShares, type ShareSumFlag } from './layout'
import { defaultDirection, rankRecipes, type Direction, type RankResult } from './rankRecipes'
import { fitQuadraticSurface, type SurfaceFit, type SurfacePoint } from './surface'
import { isNumericColumn, listColumns, numericColumn, type MixtureTable } from './table'
import type { MixtureAnalysis, RankMethod } from '../../common/contract/mix'

export type { MixtureAnalysis } from '../../common/contract/mix'

export interface AnalyseOptions {
  /** Column to optimise; default: the grid's remaining numeric column, or v_acc / the last metric for recipes. */
  target?: string
  x?: string
  y?: string
  /** Source-share columns of a recipe table, when detection needs help. */
  shares?: string[]
  /** Per-source category table (Table 4) for derived shares. */
  sources?: MixtureTable
  directions?: Record<string, Direction>
  method?: RankMethod
  weights?: Record<string, number>
  resamples?: number
  seed?: number
  sumTolerance?: number
  /** Fixed tolerance for derived-share disagreement (default: rounding bound). */
  deriveTolerance?: number
}

/**
 * The whole mixture study of one table, as the Mixtures view and `mix` command show it: layout,
 * validation, best observed row, response surface over (x, y), heatmap for grids, ranking and derived
 * shares for recipe tables. Warnings collect everything the user should read next to the numbers.
 */
export function analyseMixture(t: MixtureTable, o: AnalyseOptions = {}): MixtureAnalysis {
  const layout = detectLayout(t, { x: o.x, y: o.y, shares: o.shares })
  for (const k of Object.keys(o.directions ?? {})) {
    if (!isNumericColumn(t, k)) throw badArg('directions', `no numeric column "${k}" in ${t.name} (columns: ${listColumns(t.numeric)})`)
  }
  const warnings: string[] = []
  let shareFlags: ShareSumFlag[] = []
  if (layout.kind === 'sources') {
    warnings.push(`${t.name} looks like a per-source category table (label column "${layout.label}"); use it as the sources table to derive recipe shares`)
    return { rows: t.rows.length, kind: layout.kind, layout, target: null, direction: 'higher', x: null, y: null, best_observed: null, fit: null, heatmap: null, table: null, derived: null, share_sum_flags: [], warnings }
  }
  if (layout.shares.length > 0) {
    shareFlags = validateShares(t, layout.shares, { sumTolerance: o.sumTolerance })
    for (const f of shareFlags) warnings.push(`row ${f.row}${f.label ? ` (${f.label})` : ''}: source shares sum to ${f.sum}, not 100`)
  }
  const axes = [layout.reasoning, layout.visual].filter((c): c is string => c !== null)
  if (axes.length > 0) validateShares(t, axes, { sumTolerance: null })

  const candidates = layout.metrics
  let target = o.target ?? null
  if (target !== null) numericColumn(t, target, 'target')
  else if (layout.kind === 'grid') {
    target = candidates[0] ?? null
    if (candidates.length > 1) warnings.push(`several value columns (${candidates.join(', ')}); using "${target}" — choose another as the target`)
  } else target = candidates.includes('v_acc') ? 'v_acc' : (candidates[candidates.length - 1] ?? null)
  if (target === null) throw badInput(t.name, `no numeric value column to analyse besides the shares (columns: ${listColumns(t.columns)})`)
  const direction = o.directions?.[target] ?? defaultDirection(target)

  const z = numericColumn(t, target)
  let bestIndex = -1
  z.forEach((v, i) => {
    if (v === null) return
    if (bestIndex < 0 || (direction === 'higher' ? v > z[bestIndex]! : v < z[bestIndex]!)) bestIndex = i
  })
  const missingTarget = z.filter((v) => v === null).length
  if (missingTarget > 0) warnings.push(`${missingTarget} row(s) have no ${target} value and are left out`)

  let derived: DerivedShares | null = null
  if (o.sources) {
    derived = deriveShares(t, layout, o.sources, { tolerancePct: o.deriveTolerance })
    if (derived.disagreeing.length > 0) {
      warnings.push(`printed reasoning/visual shares disagree with those derived from ${o.sources.name} for ${derived.disagreeing.join(', ')} (beyond the rounding tolerance)`)
    }
  }

  let xs: (number | null)[] | null = null
  let ys: (number | null)[] | null = null
  let xName: string | null = null
  let yName: string | null = null
  if (derived && !o.x && !o.y) {
    xs = derived.rows.map((r) => r.reasoning)
    ys = derived.rows.map((r) => r.visual)
    xName = 'reasoning (derived)'
    yName = 'visual (derived)'
  } else if (layout.reasoning && layout.visual) {
    xs = numericColumn(t, layout.reasoning)
    ys = numericColumn(t, layout.visual)
    xName = layout.reasoning
    yName = layout.visual
  }

  let fit: SurfaceFit | null = null
  let heatmap: GridHeatmap | null = null
  if (xs && ys) {
    const pts: SurfacePoint[] = []
    z.forEach((v, i) => {
      if (v !== null && xs[i] !== null && ys[i] !== null) pts.push({ x: xs[i]!, y: ys[i]!, z: v })
    })
    if (layout.kind === 'grid') heatmap = gridHeatmap(pts, direction, t.name)
    try {
      fit = fitQuadraticSurface(pts, { direction, resamples: o.resamples, seed: o.seed })
      warnings.push(...fit.warnings)
    } catch (e) {
      warnings.push(`no response surface: ${(e as Error).message}`)
    }
  } else warnings.push('no reasoning/visual share columns: no response surface (name them as x and y)')

  let table: RankResult | null = null
  if (layout.kind === 'recipes' && layout.metrics.length > 0) {
    table = rankRecipes(t, { method: o.method ?? 'mean-rank', metrics: layout.metrics, directions: pick(o.directions, layout.metrics), weights: o.weights, rankColumn: layout.rank })
  }
  return {
    rows: t.rows.length,
    kind: layout.kind,
    layout,
    target,
    direction,
    x: xName,
    y: yName,
    best_observed: bestIndex >= 0 ? { ...t.rows[bestIndex]! } : null,
    fit,
    heatmap,
    table,
    derived,
    share_sum_flags: shareFlags,
    warnings,
  }
}

/** Directions for the ranked metrics only; a direction for a column that does not exist is a typo worth reporting. */
function pick(d: Record<string, Direction> | undefined, keys: string[]): Record<string, Direction> | undefined {
  if (!d) return undefined
  return Object.fromEntries(Object.entries(d).filter(([k]) => keys.includes(k)))
}
