/**
 * Everything a report can show. Section payloads reuse the CLI's JSON shapes (docs: CLI.md) where one
 * exists, so the gatherer can pass stored results through unchanged. A section is printed only when its
 * payload is present and non-empty.
 */

import type { Paper } from '../../common/contract/report'
import type { CalibrationStats } from '../align/calibration'

/** One metric of an `align` result (CLI.md). */
export interface AlignMetricResult {
  score: number
  /** [i, j] best layer pair (−1 = concatenation) for 3-D inputs, null for 2-D. */
  layers: [number, number] | null
  /** L_A × L_B scores ((L_A+1) × (L_B+1) under max+concat, row/col 0 = concatenation). */
  matrix: number[][] | null
  ci95: [number, number] | null
  /** Aggregation-aware calibration (CLI.md additions) and its Benjamini–Hochberg adjusted p, when computed. */
  calibration?: CalibrationStats | null
  p_adjusted?: number | null
}

/** The `align --json` document, plus the clamp quantile used. */
export interface AlignResult {
  n: number
  k: number
  prep: string
  q?: number
  layers_mode: string
  chance: Record<string, number>
  metrics: Record<string, AlignMetricResult>
  seconds: number
  ep: string
  seed?: number
}

export interface ReportModel {
  name: string
  tags?: string[]
  modality?: string
}

export interface AlignmentSection {
  models: ReportModel[]
  /** The metric shown in the model × model matrix; default the first metric of the first pair. */
  metric?: string
  /** One entry per computed pair (order of a/b as computed). */
  pairs: { a: string; b: string; result: AlignResult }[]
  /** Pairs whose layer × layer heatmaps are shown; default the best-scoring pair. */
  heatmaps?: { a: string; b: string; metric?: string }[]
  capability?: {
    points: { model: string; alignment: number; capability: number }[]
    capabilityName: string
    rho: number | null
    p: number | null
  }
  /** Alignment vs share of some data (e.g. % reasoning), as lines. */
  shareCurves?: { xName: string; yName: string; series: { name: string; points: [number, number][] }[]; note?: string }
  note?: string
}

export interface MapPointData {
  x: number
  y: number
  label?: string
  category?: string
}

export interface MapData {
  title?: string
  /** "umap", "mds", "pca", ... */
  method: string
  points: MapPointData[]
  params?: Record<string, string | number | boolean | null>
}

export interface MapsSection {
  items?: MapData
  models?: MapData
}

/** One bin of the `mle --json` document. */
export interface MleBin {
  n: number
  correct: number
  acc: number
  ci95: [number, number]
}

/** The `mle --json` document (CLI.md), plus where the numbers came from. */
export interface MleSection {
  models: { name: string; n: number; bins: Record<string, MleBin>; overall_weighted: number; overall_unweighted: number; unparsed: number }[]
  paired: { a: string; b: string; bin: string; delta: number; p_value: number }[]
  source?: string
}

export interface CorrelationMatrix {
  categories: string[]
  matrix: number[][]
}

export interface VqaSection {
  categories: string[]
  /** Per model, per category score in % (and optionally the overall). */
  models: { name: string; scores: Record<string, number | null>; overall?: number | null }[]
  /** Spearman correlation of category scores across the report's models. */
  spearman?: CorrelationMatrix | null
  /** The paper's published correlation (Han et al. 2025, Figure 5). */
  paper?: CorrelationMatrix | null
  /** Category -> benchmarks in it. */
  benchmarks?: Record<string, string[]>
  source?: string
}

export interface GridPointData {
  x: number
  y: number
  value: number
}

export interface MixturesSection {
  grid?: {
    xName: string
    yName: string
    valueName: string
    points: GridPointData[]
    /** The `mix --json` fields for the grid. */
    rows: number
    best_observed: GridPointData
    fit: { kind: string; r2: number; optimum: { x: number; y: number; predicted: number }; coefficients: Record<string, number> | number[] } | null
    /** The fitted surface evaluated on a grid, for the contour-like panel. */
    surface?: GridPointData[]
    source?: string
  }
  recipes?: {
    columns: string[]
    rows: Record<string, string | number | null>[]
    /** Trade-off scatter: two metric columns and the label column. */
    tradeoff?: { x: string; y: string; label: string; maximizeX?: boolean; maximizeY?: boolean }
    /** Score-vs-share lines: the share column and one or more score columns. */
    shareScore?: { share: string; scores: string[] }
    source?: string
  }
  warnings: string[]
}

export interface ColourSection {
  scoreName: string
  /** Per layer: how well the layer's features predict the colour space. */
  layers: { layer: string | number; score: number }[]
  /** Usually three 2-D embeddings (e.g. ground-truth space, best layer, last layer). */
  embeddings: { title: string; points: { x: number; y: number; hex: string; label?: string }[] }[]
  /** Axis names of the embeddings (default dim 1 / dim 2), e.g. a* and b* after alignment to CIELAB. */
  axes?: { x: string; y: string }
  note?: string
}

export interface Provenance {
  appVersion: string
  /** ISO 8601 date-time of generation. */
  generatedAt: string
  models: { name: string; path: string; sha256: string; bytes: number }[]
  datasets: { name: string; sha256: string; bytes: number; n: number }[]
  /** Metric parameters: k, prep, q, layers mode, seeds, pooling... */
  parameters: Record<string, string | number | boolean | null>
  /** Execution provider that ran inference and kernels. */
  ep: string
  timings: { step: string; seconds: number }[]
  /** Node, ONNX Runtime, platform... */
  environment?: Record<string, string>
  sources?: string[]
}

export interface ReportData {
  title?: string
  subtitle?: string
  /** Extra summary lines written by the caller, printed before the generated ones. */
  summary?: string[]
  alignment?: AlignmentSection
  maps?: MapsSection
  mle?: MleSection
  vqa?: VqaSection
  mixtures?: MixturesSection
  colour?: ColourSection
  provenance: Provenance
}

export { PAPER_SIZES, REPORT_SECTIONS, type Paper, type ReportSection } from '../../common/contract/report'

export interface ReportOptions {
  paper: Paper
  /** Sections to include (default all that have data). */
  sections?: string[]
}
