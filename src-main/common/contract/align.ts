/**
 * Alignment vocabulary and the alignment results that cross the API: the metric names, feature
 * preparations and layer modes every process shares, one stored score (`AlignmentRecord`) and the
 * model × model matrix the Alignment view draws. `MetricResult`, `PermutationStats` and
 * `CalibrationStats` are also the `align --json` documents of docs/CLI.md, so they keep its
 * snake_case keys wherever they travel.
 */

/** Every metric of the `align` command, in the order results are listed. */
export const METRIC_NAMES = ['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cka', 'cka_rbf', 'unbiased_cka', 'cknna', 'svcca', 'rsa', 'procrustes'] as const
export type MetricName = (typeof METRIC_NAMES)[number]

export function isMetricName(s: string): s is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(s)
}

/** Feature preparation before any metric (see core/align/prep.ts). */
export const PREPS = ['none', 'l2', 'clamp-exact', 'clamp-approx'] as const
export type Prep = (typeof PREPS)[number]

/** How a layered pair is scored: the best layer pair, or also each side's concatenation of all layers. */
export const LAYERS_MODES = ['max', 'max+concat'] as const
export type LayersMode = (typeof LAYERS_MODES)[number]

/** Which score a view shows: the raw metric or the calibrated s_cal. */
export const SCORE_VIEWS = ['raw', 'calibrated'] as const
export type ScoreView = (typeof SCORE_VIEWS)[number]

export interface PermutationStats {
  r: number
  mean: number
  sd: number
  /** (1 + #{null ≥ observed}) / (R + 1), the add-one estimate that never reports 0. */
  p_value: number
}

/** How the reported statistic aggregates the layer table. */
export type CalibrationAggregate = 'single' | LayersMode

export interface CalibrationStats {
  /** K, the number of permutations. */
  permutations: number
  alpha: number
  aggregate: CalibrationAggregate
  /** τ = T_(⌈(1−α)(K+1)⌉) of the K+1 values {T_obs, T_1..T_K} sorted ascending (1-based). */
  threshold: number
  /** (1 + #{k : T_k ≥ T_obs}) / (K+1). */
  p_value: number
  /** s_cal = max((T_obs − τ)/(1 − τ), 0); 0 when 1 − τ ≤ 1e−12. */
  score: number
  null_mean: number
  /** Sample standard deviation (K − 1 in the denominator; 0 for K = 1). */
  null_sd: number
  /** Why `score` is 0 by construction (too few permutations for α), else null. */
  note: string | null
  /** T_1..T_K in permutation order (for the null histogram). */
  null_values: number[]
}

/** Calibration without its null values (what a matrix cell carries). */
export type CalibrationSummary = Omit<CalibrationStats, 'null_values'>

export interface MetricResult {
  score: number
  /** [i, j] into A's and B's layers (−1 = concatenation) for 3-D inputs, else null. */
  layers: [number, number] | null
  /** Full table for 3-D inputs ((L_A+1) x (L_B+1) under max+concat, row/column 0 = −1). */
  matrix: number[][] | null
  ci95: [number, number] | null
  /** Added key: why `score` is a placeholder 0 (constant layer, no pair above 0, ...), else null. */
  undefined_reason: string | null
  /** Added key: permutation-null statistics when permutations > 0, else null. */
  permutation: PermutationStats | null
  /** Added key: aggregation-aware calibration when calibrate > 0 (its `score` is s_cal), else null. */
  calibration: CalibrationStats | null
}

/** How an input was named: a .npy file (identified by its SHA-256) or a workspace feature set (by id). */
export interface InputRef {
  name: string
  kind: 'file' | 'feature_set'
  /** File SHA-256, or the feature-set id (itself content-derived). */
  sha256: string
}

/** One stored metric score with everything that determined it. */
export interface AlignmentRecord {
  id: string
  runId: string
  cacheKey: string
  createdAt: string
  inputA: InputRef
  inputB: InputRef
  metric: MetricName
  k: number
  prep: string
  q: number
  layersMode: string
  rbfSigma: number
  n: number
  seed: number
  bootstrap: number
  permutations: number
  ep: string
  seconds: number
  chance: number
  /** Calibration permutations K (0 = none) and level α (null without calibration). */
  calibrate: number
  alpha: number | null
  /** Benjamini–Hochberg adjusted calibration p-value across the pairs of the sweep that last wrote it. */
  pAdjusted: number | null
  result: MetricResult
}

/** One stored record with the layer names of both inputs (`align.record`). */
export interface AlignmentRecordDetail extends AlignmentRecord {
  layersA: string[]
  layersB: string[]
}

/**
 * The stored score of one ordered pair in the matrix. Fields taken from the record's `MetricResult`
 * keep its names, so a field is spelled the same whichever method returned it.
 */
export interface MatrixCell extends Pick<MetricResult, 'score' | 'layers' | 'ci95' | 'undefined_reason' | 'permutation'> {
  recordId: string
  chance: number
  n: number
  k: number
  /** Aggregation-aware calibration (its `score` is s_cal), without the null values; null when not calibrated. */
  calibration: CalibrationSummary | null
  /** Benjamini–Hochberg adjusted p across the pairs of the sweep that computed it, or null. */
  pAdjusted: number | null
}

export interface AlignmentMatrix {
  /** `id` is the requested reference: a model id, or `id:tower` for a tower of a dual encoder (then `modelId` and `tower`). */
  models: { id: string; modelId?: string; tower?: string | null; name: string; modality: string; featureSet: string | null; layers: string[]; dim?: number | null }[]
  /** cells[i][j]: model i as A, model j as B; null where no stored result matches. */
  cells: (MatrixCell | null)[][]
  metric: MetricName
  k: number
  prep: Prep
  q: number
  layersMode: LayersMode
  n: number | null
}
