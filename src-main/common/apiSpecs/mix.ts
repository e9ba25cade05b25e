import { s } from '../schema'
import { method } from '../apiMethod'
import { DIRECTIONS, RANK_METHODS, type AnalysedMixture, type MixtureAlignment, type MixtureTableSummary } from '../contract/mix'
import { alignParams } from './align'

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

/** Data-mixture analytics (Mixtures view). */
export const MIX_API = {
  'mix.import': method(s.object({ path })).returns<MixtureTableSummary>(),
  'mix.list': method(s.object({})).returns<MixtureTableSummary[]>(),
  'mix.remove': method(s.object({ id })).returns<{ removed: boolean }>(),
  'mix.analyse': method(
    s.object({
      id,
      target: s.optional(s.string({ max: 200 })),
      x: s.optional(s.string({ max: 200 })),
      y: s.optional(s.string({ max: 200 })),
      sourcesId: s.optional(id),
      directions: s.optional(s.record(s.literal(...DIRECTIONS))),
      method: s.optional(s.literal(...RANK_METHODS)),
      weights: s.optional(s.record(s.number({ min: 0 }))),
      resamples: s.optional(s.number({ int: true, min: 0, max: 5000 })),
      seed: s.optional(s.number({ int: true })),
    }),
  ).returns<AnalysedMixture>(),
  /**
   * LLM–vision alignment against each language model's mixture share (the paper's Figure 11): the share is
   * read from a model tag or capability whose name contains `shareKey` (default "reasoning"), the scores
   * from stored alignments to every vision model.
   */
  'mix.alignment': method(s.object({ datasetId: id, shareKey: s.optional(s.string({ min: 1, max: 100 })), ...alignParams })).returns<MixtureAlignment>(),
} as const
