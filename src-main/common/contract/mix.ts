/**
 * Data-mixture analytics that cross the API (Mixtures view): imported tables, the detected layout, the
 * fitted surface, the grid heatmap, recipe rankings, derived shares and alignment against a mixture
 * share. `MixtureAnalysis` is also the `mix --json` document of docs/CLI.md, so it keeps its
 * snake_case keys wherever it travels.
 */

/** How recipes are ranked on several metrics. */
export const RANK_METHODS = ['mean-rank', 'weighted-score'] as const
export type RankMethod = (typeof RANK_METHODS)[number]

/** Whether a metric is better higher or lower. */
export const DIRECTIONS = ['higher', 'lower'] as const

/** One cell of an imported table: a number, a text label, or missing. */
export type Cell = number | string | null

/**
 * A mixture table as imported: column names in file order, rows keyed by column name, and which
 * columns are numeric. `rowNumbers[i]` is where row i sits in the source as the user sees it (the
 * file line for CSV, the sheet row for XLSX, the 1-based array position for JSON), for messages.
 * `decimals[c]` is the most decimal places printed in numeric column c; the rounding tolerance of
 * derived shares is computed from it.
 */
export interface MixtureTable {
  name: string
  format: 'csv' | 'json' | 'xlsx'
  columns: string[]
  numeric: string[]
  rows: Record<string, Cell>[]
  rowNumbers: number[]
  decimals: Record<string, number>
}

export interface MixtureTableSummary {
  id: string
  name: string
  path: string
  sha256: string
  format: MixtureTable['format']
  kind: MixtureLayout['kind']
  columns: string[]
  rows: number
  addedAt: string
}

/** What the columns of a mixture table mean (detection rules: core/mix/layout.ts, detectLayout). */
export interface MixtureLayout {
  kind: 'grid' | 'recipes' | 'sources'
  label: string | null
  reasoning: string | null
  visual: string | null
  shares: string[]
  metrics: string[]
  rank: string | null
}

export interface ShareSumFlag {
  row: number
  label: string | null
  sum: number
}

export type Direction = (typeof DIRECTIONS)[number]

export interface RankedRow {
  row: number
  label: string | null
  /** 1 = best; ties share the smaller rank (competition ranking 1, 2, 2, 4). */
  rank: number
  /** mean-rank: mean of per-metric ranks (lower is better); weighted-score: weighted normalised score in [0, 1] (higher is better). */
  score: number
  /** Per-metric rank, 1 = best, ties averaged; null where the value is missing. */
  metricRanks: Record<string, number | null>
  rank_as_given: Cell
}

export interface RankResult {
  method: RankMethod
  directions: Record<string, Direction>
  weights: Record<string, number>
  rows: RankedRow[]
  /** Plain sentence shown next to the rank column in the UI so the method is visible. */
  description: string
}

/** A point of the share plane (x = reasoning share, y = visual share by default). */
export interface XY {
  x: number
  y: number
}

/** Coefficients of z = b0 + b1 x + b2 y + b3 x² + b4 xy + b5 y² in the data's own units. */
export interface SurfaceCoefficients {
  b0: number
  b1: number
  b2: number
  b3: number
  b4: number
  b5: number
}

export interface SurfaceOptimum {
  x: number
  y: number
  predicted: number
  /** interior: the stationary point of the surface; edge/vertex: on the boundary of the sampled region. */
  where: 'interior' | 'edge' | 'vertex'
  interval: {
    x: [number, number]
    y: [number, number]
    predicted: [number, number]
    level: number
    resamples: number
    /** Resamples whose design was degenerate (too few distinct points) and were skipped. */
    skipped: number
    seed: number
  } | null
}

export interface SurfaceFit {
  /** 'linear' when the quadratic is not identifiable from the points (b3 = b4 = b5 = 0 then). */
  kind: 'quadratic' | 'linear'
  coefficients: SurfaceCoefficients
  n: number
  /** 1 − SS_res/SS_tot; null when the target is constant. */
  r2: number | null
  rmse: number
  /** Leave-one-out error from PRESS = Σ (e_i / (1 − h_ii))²; null when a point has leverage 1. */
  looRmse: number | null
  /** The same for the mean-only model: e_i · n/(n − 1). */
  meanLooRmse: number
  optimum: SurfaceOptimum
  /** The sampled region the optimum is restricted to: the convex hull of the sampled (x, y), counter-clockwise. */
  region: { kind: 'convex-hull'; vertices: XY[] }
  warnings: string[]
}

export interface GridHeatmap {
  xs: number[]
  ys: number[]
  /** values[j][i] is the cell at (xs[i], ys[j]); null where the grid was not sampled. */
  values: (number | null)[][]
  best: { x: number; y: number; value: number }
  missing: number
}

export interface DerivedShareRow {
  row: number
  label: string | null
  reasoning: number
  visual: number
  reasoningGiven: number | null
  visualGiven: number | null
  reasoningDiff: number | null
  visualDiff: number | null
  reasoningTolerance: number
  visualTolerance: number
  disagrees: boolean
}

export interface DerivedShares {
  rows: DerivedShareRow[]
  /** recipe share column → source label it was paired with. */
  mapping: Record<string, string>
  /** Labels (or row numbers) of the recipes whose printed shares disagree with the derived ones. */
  disagreeing: string[]
  formula: string
}

export interface MixtureAnalysis {
  rows: number
  kind: MixtureLayout['kind']
  layout: MixtureLayout
  target: string | null
  direction: Direction
  /** Axes of the fit: column names, or `reasoning (derived)` / `visual (derived)`. */
  x: string | null
  y: string | null
  best_observed: Record<string, Cell> | null
  fit: SurfaceFit | null
  heatmap: GridHeatmap | null
  table: RankResult | null
  derived: DerivedShares | null
  share_sum_flags: ShareSumFlag[]
  warnings: string[]
}

export interface AlignmentVersusMixture {
  /** One line per vision model (key '' when not given), sorted by share. */
  perVision: { visionModel: string; points: { share: number; score: number; model?: string }[] }[]
  /** Mean over vision models at each share (the paper averages three encoders), sorted by share. */
  mean: { share: number; score: number; count: number }[]
  /** Chance level of the metric; for mutual k-NN k/(N − 1), the expected overlap of two random neighbour sets. */
  chance: number | null
  best: { share: number; score: number } | null
}

/** `mix.analyse`: a stored table, its analysis and the fitted surface sampled for the heatmap. */
export interface AnalysedMixture {
  summary: MixtureTableSummary
  table: Pick<MixtureTable, 'columns' | 'numeric' | 'rows' | 'name'>
  analysis: MixtureAnalysis
  /** The fitted surface evaluated inside the sampled region, for the heatmap overlay (null without a fit). */
  surface: { x: number; y: number; value: number }[] | null
}

/** `mix.alignment`: alignment against the mixture share, with what it was read from. */
export type MixtureAlignment = AlignmentVersusMixture & { shareName: string | null; textModels: number; visionModels: string[]; missing: string[] }
