import { listModels } from '../core/registry/models'
import { colourJob } from './colourJob'
import type { DemoStep } from './demoJob'
import { umapJob } from './umapJob'

/**
 * Demo steps after the alignment sweep: linked item maps of the vision and the language model (the
 * same 256 pairs, last layer, all items) and the colour experiment on the bundled models and images.
 */
export const DEMO_EXTRAS: DemoStep[] = [
  {
    title: 'item maps',
    weight: 1,
    run: async (ctx, { modelIds, datasetId }) => {
      const models = listModels(ctx.ws).filter((m) => modelIds.includes(m.id))
      const picks = [models.find((m) => m.name === 'vit-tiny'), models.find((m) => m.name === 'gpt-tiny')].filter((m) => !!m)
      const out: unknown[] = []
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
  },
  {
    title: 'colour experiment',
    weight: 0.5,
    run: async (ctx) => {
      const models = listModels(ctx.ws)
      return colourJob({ ...ctx, params: { textModelId: models.find((m) => m.name === 'gpt-tiny')?.id, visionModelId: models.find((m) => m.name === 'vit-tiny')?.id, permutations: 500, seed: 0 } })
    },
  },
]
