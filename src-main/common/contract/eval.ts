/**
 * Evaluation analytics that cross the API (MLE-Bench view): imported runs, the object-size breakdown,
 * paired comparisons, the per-question table and VQA categories. The breakdown and its parts are also
 * the `mle --json` document of docs/CLI.md, so they keep its snake_case keys wherever they travel.
 */

/** MLE-Bench object-size bins (share of image pixels covered by the object), in the paper's order. */
export const BIN_KEYS = ['0-30', '30-60', '60-100'] as const
export type BinKey = (typeof BIN_KEYS)[number]

/** Evaluation harnesses whose output files are read, and `--format` (`auto` detects the harness). */
export const HARNESSES = ['lmms-eval', 'vlmevalkit', 'cambrian', 'jsonl'] as const
export type Harness = (typeof HARNESSES)[number]
export const EVAL_FORMATS = ['auto', ...HARNESSES] as const
export type EvalFormat = (typeof EVAL_FORMATS)[number]

/**
 * Whose verdict decides correctness: 'reparse' (default) reads every prediction with parsePrediction so that
 * the same answers give the same breakdown in every format; 'file' keeps the harness's or judge's verdict
 * where the file has one (lmms-eval is_correct, VLMEvalKit hit).
 */
export const VERDICT_POLICIES = ['reparse', 'file'] as const
export type VerdictPolicy = (typeof VERDICT_POLICIES)[number]

/** Where a row came from: shown next to every figure derived from it. */
export interface EvalSource {
  file: string
  harness: Harness
  /** e.g. 'samples-nested', 'samples-flat', 'xlsx', 'tsv', 'csv', 'json', 'answers-jsonl', 'plain-jsonl' */
  shape: string
  /** The judge named in a VLMEvalKit `_<judge>_result` file name, else null. */
  judge: string | null
}

/** Bin-level result without per-question rows (lmms-eval *_results.json, the paper's table). */
export interface BinSummary {
  model: string
  source: EvalSource | { file: string; harness: 'paper'; shape: 'table'; judge: null }
  /** Accuracies in [0,1]; n from the file or the published bin sizes (then `estimated` is true). */
  bins: Partial<Record<BinKey, { n: number; acc: number }>>
  estimated: boolean
  warnings: string[]
}

export interface BinStat {
  n: number
  correct: number
  /** correct / n, a fraction in [0, 1]. */
  acc: number
  /** Wilson 95% interval (z = 1.96). */
  ci95: [number, number]
}

export interface ModelBreakdown {
  name: string
  n: number
  bins: Partial<Record<BinKey, BinStat>>
  /** The paper's "Overall": Σ correct / Σ n over the bins. */
  overall_weighted: number
  /** lmms-eval's `average`: the unweighted mean of the bin accuracies. */
  overall_unweighted: number
  unparsed: number
  /** true when counts come from published bin sizes rather than per-question rows. */
  estimated?: boolean
  sources: (EvalSource | BinSummary['source'])[]
}

export interface PairedEntry {
  a: string
  b: string
  bin: BinKey | 'overall'
  /** Shared questions in this bin. */
  n: number
  /** acc_a − acc_b on the shared questions. */
  delta: number
  /** Exact McNemar test: two-sided binomial test on the discordant pairs. */
  p_value: number
  /** Discordant pairs: only a correct / only b correct. */
  only_a: number
  only_b: number
}

/** The `mle` command's JSON (CLI.md) plus the chance line and warnings. */
export interface MleResult {
  models: ModelBreakdown[]
  paired: PairedEntry[]
  warnings: string[]
  chance: number
}

export interface EvalRunInfo {
  id: string
  model: string
  file: string
  sha256: string
  harness: Harness
  shape: string
  judge: string | null
  verdict: VerdictPolicy
  benchmarkFile: string | null
  n: number
  warnings: string[]
  importedAt: string
}

export interface QuestionAnswers {
  qid: string
  bin: BinKey
  question: string | null
  choices: string[] | null
  answerLetter: string
  /** Each model's answer, keyed by model name; absent where that model lacks the question. */
  answers: Record<string, { predRaw: string; predLetter: string | null; correct: boolean; parsed: boolean }>
  /** Models disagree on correctness (only among those that answered). */
  disagree: boolean
}

/** Category → benchmark names, as in resources/demo/paper-tables/lsbs_vqa_categories.json (LSBS App. B.2). */
export type CategoryMap = Record<string, string[]>

export interface CategoryScore {
  /** Mean of the category's benchmarks that were given (percent), null when none was. */
  score: number | null
  used: string[]
  missing: string[]
}

export interface VqaCategoryResult {
  categories: Record<string, CategoryScore>
  /** Mean over all benchmarks given (not the mean of the category means), percent; null when none. */
  avgVqa: number | null
  /** Benchmarks given that belong to no category (left out of every figure). */
  unassigned: string[]
  /** Assumptions to state in the UI. */
  assumptions: string[]
}

export interface SpearmanMatrix {
  categories: string[]
  /** rho[i][j]; null where a category is constant across the models (undefined correlation). */
  rho: (number | null)[][]
  p: (number | null)[][]
  /** Models used (those with every category scored). */
  n: number
  models: string[]
  warnings: string[]
}

/** A row of the paper's frontier table: its bins and the overall accuracy it prints. */
export type PaperFrontierEntry = BinSummary & { publishedOverall: number | null }

/** The papers' published tables bundled with the app (sample data for the MLE-Bench view). */
export interface PaperTables {
  frontier: PaperFrontierEntry[]
  frontierBreakdown: MleResult
  categories: CategoryMap
  paperSpearman: { categories: string[]; rho: number[][] }
  results7b: { model: string; scores: Record<string, number | null> }[]
  source: string
}

/** Per-benchmark scores → the four VQA categories per model, plus their Spearman matrix across models. */
export interface VqaComparison {
  perModel: (VqaCategoryResult & { name: string })[]
  spearman: SpearmanMatrix | null
  spearmanError: string | null
}
