import fs from 'node:fs'
import path from 'node:path'
import type { Workspace } from '../store/workspace'
import { resourcesDir } from '../paths'
import { addModel, updateModel } from './models'
import { addDataset } from './datasets'
import { importMixtureTable } from '../mix/mixtureStore'

/** The sample checkpoints registered by "Open demo workspace", with tags used for colour and grouping. */
export const DEMO_MODELS: { dir: string; name: string; tags: Record<string, string> }[] = [
  { dir: 'vit-tiny', name: 'vit-tiny', tags: { family: 'vit', modality: 'vision', size: 'tiny' } },
  { dir: 'vit-tiny-logits-only', name: 'vit-tiny (tapped)', tags: { family: 'vit', modality: 'vision', size: 'tiny' } },
  { dir: 'gpt-tiny', name: 'gpt-tiny', tags: { family: 'gpt', modality: 'text', size: 'tiny' } },
  { dir: 'gpt-tiny-external-data', name: 'gpt-tiny (external data)', tags: { family: 'gpt', modality: 'text', size: 'tiny' } },
]

/** The paper tables imported as mixture tables (grid, recipes, per-source categories). */
export const DEMO_MIXTURE_TABLES = ['lsbs_mixture_grid.csv', 'lsbs_recipes.csv', 'lsbs_source_categories.csv']

export function demoPaths(resources = resourcesDir()): { models: string; dataset: string; paperTables: string } {
  const demo = path.join(resources, 'demo')
  return { models: path.join(demo, 'models'), dataset: path.join(demo, 'datasets', 'shapes-256'), paperTables: path.join(demo, 'paper-tables') }
}

/**
 * Registers the bundled sample models, the shapes-256 dataset and the papers' mixture tables
 * (idempotent: registering again refreshes the same entries). Extraction and alignment of the demo
 * run as a job (`demo` job kind) because they take seconds, not milliseconds.
 */
export async function loadDemo(ws: Workspace, resources = resourcesDir()): Promise<void> {
  const p = demoPaths(resources)
  for (const m of DEMO_MODELS) {
    const dir = path.join(p.models, m.dir)
    if (!fs.existsSync(dir)) continue
    const dto = await addModel(ws, dir, m.name)
    if (Object.keys(dto.tags).length === 0) updateModel(ws, dto.id, { tags: m.tags })
  }
  addDataset(ws, p.dataset, 'shapes-256')
  for (const f of DEMO_MIXTURE_TABLES) await importMixtureTable(ws, path.join(p.paperTables, f))
  ws.setSetting('demo.loaded', '1')
}
