import { s } from '../schema'
import { method } from '../apiMethod'
import type { MixtureTableSummary } from '../../core/mix/mixtureStore'
import type { MixtureAnalysis } from '../../core/mix/analyseMixture'
import type { MixtureTable } from '../../core/mix/table'
import type { AlignmentVersusMixture } from '../../core/mix/charts'
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
      directions: s.optional(s.record(s.literal('higher', 'lower'))),
      method: s.optional(s.literal('mean-rank', 'weighted-score')),
      weights: s.optional(s.record(s.number({ min: 0 }))),
      resamples: s.optional(s.number({ int: true, min: 0, max: 5000 })),
      seed: s.optional(s.number({ int: true })),
    }),
  ).returns<{
    summary: MixtureTableSummary
    table: Pick<MixtureTable, 'columns' | 'numeric' | 'rows' | 'name'>
    analysis: MixtureAnalysis
    /** The fitted surface evaluated inside the sampled region, for the heatmap overlay (null without a fit). */
    surface: { x: number; y: number; value: number }[] | null
  }>(),
  /**
   * LLM–vision alignment against each language model's mixture share (the paper's Figure 11): the share is
   * read from a model tag or capability whose name contains `shareKey` (default "reasoning"), the scores
   * from stored alignments to every vision model.
   */
  'mix.alignment': method(s.object({ datasetId: id, shareKey: s.optional(s.string({ min: 1, max: 100 })), ...alignParams })).returns<
    AlignmentVersusMixture & { shareName: string | null; textModels: number; visionModels: string[]; missing: string[] }
  >(),
} as const
