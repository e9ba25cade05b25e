import { s } from '../schema'
import { method } from '../apiMethod'
import { LAYERS_MODES, METRIC_NAMES, PREPS, type AlignmentMatrix, type AlignmentRecordDetail } from '../contract/align'
import type { FeatureSetDto, LayerListing } from '../contract/features'

const id = s.string({ min: 1, max: 200 })
const path = s.string({ min: 1, max: 4096 })

/** Metric parameters that select stored results (the same ones the `align` command takes). */
export const alignParams = {
  metric: s.literal(...METRIC_NAMES),
  k: s.number({ int: true, min: 1, max: 100_000 }),
  prep: s.literal(...PREPS),
  q: s.number({ min: 0, max: 1 }),
  layersMode: s.literal(...LAYERS_MODES),
}

/** Feature sets and stored alignment results (Models and Alignment views). */
export const ALIGN_API = {
  'models.layers': method(s.object({ id })).returns<LayerListing>(),
  'features.list': method(s.object({})).returns<FeatureSetDto[]>(),
  'features.delete': method(s.object({ id })).returns<{ removed: boolean }>(),
  /** Existing bundle files in `dir` are replaced only with `overwrite: true` (else CONFLICT). */
  'features.export': method(s.object({ id, dir: path, overwrite: s.optional(s.boolean()) })).returns<{ dir: string; files: string[] }>(),
  'features.import': method(s.object({ dir: path })).returns<FeatureSetDto>(),
  'align.matrix': method(s.object({ modelIds: s.array(id, { max: 200 }), datasetId: id, ...alignParams })).returns<AlignmentMatrix>(),
  'align.record': method(s.object({ id })).returns<AlignmentRecordDetail>(),
} as const
