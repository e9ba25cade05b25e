import type { ColourResult, UmapResult } from '../common/contract/jobs'
import { listModels } from '../core/registry/models'
import { colourJob } from './colourJob'
import type { JobContext } from './context'
import { umapJob } from './umapJob'

/** A demo step after the alignment sweep: its share of the progress bar (the sweep's is 1) and what it runs. */
export interface DemoStep<R> {
  title: string
  weight: number
  run: (ctx: JobContext, ids: { modelIds: string[]; datasetId: string }) => Promise<R>
}

/** Linked item maps of the vision and the language model (the same 256 pairs, last layer, all items). */
export const DEMO_ITEM_MAPS: DemoStep<UmapResult[]> = {
  title: 'item maps',
  weight: 1,
  run: async (ctx, { modelIds, datasetId }) => {
    const models = listModels(ctx.ws).filter((m) => modelIds.includes(m.id))
    const picks = [models.find((m) => m.name === 'vit-tiny'), models.find((m) => m.name === 'gpt-tiny')].filter((m) => !!m)
    const out: UmapResult[] = []
    for (const [i, m] of picks.entries()) {
      out.push(
        await umapJob({
          ...ctx,
          params: { modelId: m.id, datasetId, sample: { mode: 'all' }, seed: 0 },
          progress: (f, msg) => ctx.progress((i + f) / picks.length, `${m.name}: ${msg}`),
        }),
      )
    }
    return out
  },
}

/** The colour experiment on the bundled models and images. */
export const DEMO_COLOUR: DemoStep<ColourResult> = {
  title: 'colour experiment',
  weight: 0.5,
  run: async (ctx) => {
    const models = listModels(ctx.ws)
    return colourJob({ ...ctx, params: { textModelId: models.find((m) => m.name === 'gpt-tiny')?.id, visionModelId: models.find((m) => m.name === 'vit-tiny')?.id, permutations: 500, seed: 0 } })
  },
}
