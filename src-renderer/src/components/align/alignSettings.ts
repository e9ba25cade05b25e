import { LAYERS_MODES, METRIC_NAMES, PREPS, SCORE_VIEWS, type LayersMode, type MetricName, type Prep, type ScoreView } from '../../../../src-main/common/contract/align'
import { SWEEP_DEFAULTS } from '../../../../src-main/common/contract/jobs'


/** Everything the Alignment view lets the user choose; kept in the URL and in localStorage. */
export interface AlignSettings {
  modelIds: string[]
  datasetId: string
  metric: MetricName
  k: number
  prep: Prep
  q: number
  layersMode: LayersMode
  permutations: number
  bootstrap: number
  seed: number
  /** Permutations K of the aggregation-aware calibration a sweep computes (0 = none), and its α. */
  calibrate: number
  alpha: number
  /** Which score the matrix, table, scatter and map use. */
  scores: ScoreView
  /** Reference model and capability of the alignment-versus-capability plot. */
  refModel: string
  capability: string
  /** Tag used to colour and group models ('' = none). */
  groupTag: string
}

export const DEFAULT_SETTINGS: AlignSettings = {
  modelIds: [],
  datasetId: '',
  metric: 'mutual_knn',
  k: SWEEP_DEFAULTS.k,
  prep: SWEEP_DEFAULTS.prep,
  q: SWEEP_DEFAULTS.q,
  layersMode: SWEEP_DEFAULTS.layersMode,
  permutations: SWEEP_DEFAULTS.permutations,
  bootstrap: SWEEP_DEFAULTS.bootstrap,
  seed: SWEEP_DEFAULTS.seed,
  calibrate: 200,
  alpha: 0.05,
  scores: 'calibrated',
  refModel: '',
  capability: '',
  groupTag: '',
}

export const METRIC_LABELS: Record<MetricName, string> = {
  mutual_knn: 'mutual k-NN',
  cycle_knn: 'cycle k-NN',
  lcs_knn: 'LCS k-NN',
  edit_distance_knn: 'edit-distance k-NN',
  cka: 'CKA (linear)',
  cka_rbf: 'CKA (RBF)',
  unbiased_cka: 'unbiased CKA',
  cknna: 'CKNNA',
  svcca: 'SVCCA',
  rsa: 'RSA (Spearman)',
  procrustes: 'Procrustes',
}

const STORAGE_KEY = 'platonic-lab.alignment'

type Query = Record<string, unknown>

function int(v: unknown, min: number, max: number): number | undefined {
  const n = Number(v)
  return typeof v === 'string' && v !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | undefined {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined
}

/** Settings from a flat string map (URL query or stored JSON); bad or missing fields fall back to `base`. */
export function parseSettings(q: Query, base: AlignSettings = DEFAULT_SETTINGS): AlignSettings {
  const qv = Number(q.q)
  return {
    modelIds: typeof q.models === 'string' ? q.models.split(',').filter(Boolean) : base.modelIds,
    datasetId: str(q.dataset) ?? base.datasetId,
    metric: oneOf(q.metric, METRIC_NAMES) ?? base.metric,
    k: int(q.k, 1, 100_000) ?? base.k,
    prep: oneOf(q.prep, PREPS) ?? base.prep,
    q: typeof q.q === 'string' && q.q !== '' && qv >= 0 && qv <= 1 ? qv : base.q,
    layersMode: oneOf(q.layers, LAYERS_MODES) ?? base.layersMode,
    permutations: int(q.perm, 0, 100_000) ?? base.permutations,
    bootstrap: int(q.boot, 0, 10_000) ?? base.bootstrap,
    seed: int(q.seed, -(2 ** 31), 2 ** 31) ?? base.seed,
    calibrate: int(q.cal, 0, 10_000) ?? base.calibrate,
    alpha: typeof q.alpha === 'string' && Number(q.alpha) > 0 && Number(q.alpha) < 1 ? Number(q.alpha) : base.alpha,
    scores: oneOf(q.scores, SCORE_VIEWS) ?? base.scores,
    refModel: str(q.ref) ?? base.refModel,
    capability: str(q.cap) ?? base.capability,
    groupTag: str(q.group) ?? base.groupTag,
  }
}

/** The flat string form used for the URL query and localStorage. */
export function settingsQuery(s: AlignSettings): Record<string, string> {
  return {
    models: s.modelIds.join(','),
    dataset: s.datasetId,
    metric: s.metric,
    k: String(s.k),
    prep: s.prep,
    q: String(s.q),
    layers: s.layersMode,
    perm: String(s.permutations),
    boot: String(s.bootstrap),
    seed: String(s.seed),
    cal: String(s.calibrate),
    alpha: String(s.alpha),
    scores: s.scores,
    ref: s.refModel,
    cap: s.capability,
    group: s.groupTag,
  }
}

/** URL query first (a shared or reloaded link), else what this browser last used. */
export function initialSettings(query: Query): AlignSettings {
  let stored = DEFAULT_SETTINGS
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (raw) stored = parseSettings(JSON.parse(raw) as Query)
  } catch {
    // A corrupt entry only loses the remembered choices.
  }
  return parseSettings(query, stored)
}

export function storeSettings(s: AlignSettings): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(settingsQuery(s)))
  } catch {
    // Storage may be disabled; the URL still keeps the choices.
  }
}

export { errorText } from '../../composables/useAction'
