import { s } from '../schema'
import { method } from '../apiMethod'
import { BIN_KEYS, EVAL_FORMATS, VERDICT_POLICIES, type EvalRunInfo, type MleResult, type PaperTables, type QuestionAnswers, type VqaComparison } from '../contract/eval'

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

/** Evaluation analytics (MLE-Bench view). */
export const EVAL_API = {
  'eval.import': method(
    s.object({
      paths: s.array(path, { max: 200 }),
      format: s.optional(s.literal(...EVAL_FORMATS)),
      models: s.optional(s.array(s.string({ min: 1, max: 200 }))),
      benchmark: s.optional(path),
      verdict: s.optional(s.literal(...VERDICT_POLICIES)),
    }),
  ).returns<{ runs: (EvalRunInfo & { cached: boolean })[] }>(),
  'eval.list': method(s.object({})).returns<EvalRunInfo[]>(),
  'eval.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'eval.breakdown': method(s.object({ ids: s.array(id, { max: 100 }) })).returns<MleResult>(),
  'eval.questions': method(
    s.object({ ids: s.array(id, { max: 100 }), disagreementsOnly: s.optional(s.boolean()), bin: s.optional(s.literal(...BIN_KEYS)) }),
  ).returns<QuestionAnswers[]>(),
  /** The papers' published tables bundled with the app (sample data for the MLE-Bench view). */
  'eval.paper': method(s.object({})).returns<PaperTables>(),
  /** Per-benchmark scores → the four VQA categories per model, plus their Spearman matrix across models. */
  'eval.vqa': method(s.object({ models: s.array(s.object({ name: s.string({ min: 1, max: 200 }), scores: s.record(s.number()) }), { max: 1000 }) })).returns<VqaComparison>(),
  /**
   * The image of a question from a local folder the user points at: `<folder>/<qid>.png|.jpg|.jpeg|.webp`
   * (benchmarks exported with one image per question id). Null when there is none.
   */
  'eval.image': method(s.object({ folder: path, qid: s.string({ min: 1, max: 200 }) })).returns<{ dataUrl: string | null; file: string | null }>(),
} as const
