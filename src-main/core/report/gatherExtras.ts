import type { Workspace } from '../store/workspace'
import type { ColourSection, MapsSection } from './types'
import { getMap, listMaps } from '../maps/mapStore'
import { loadDataset } from '../data/dataset'
import { getDataset } from '../registry/datasets'
import { latestColourRun } from '../colour/colourRunStore'

/** The newest item map, coloured by the dataset's first attribute (shape for shapes-256). */
function mapsSection(ws: Workspace): MapsSection | undefined {
  const summaries = listMaps(ws)
  if (!summaries.length) return undefined
  const m = getMap(ws, summaries[0]!.id)
  let items: ReturnType<typeof loadDataset>['items'] = []
  try {
    items = loadDataset(getDataset(ws, m.datasetId).path, ws).items
  } catch {
    // the dataset moved since: plot without categories
  }
  const field = Object.keys(items[0]?.attributes ?? {})[0]
  return {
    items: {
      title: `${m.modelName}, layer ${m.layerName} — ${m.indices.length} of ${m.nTotal} items${field ? `, coloured by ${field}` : ''}`,
      method: 'umap',
      points: m.indices.map((i, r) => ({ x: m.coords[2 * r]!, y: m.coords[2 * r + 1]!, label: items[i]?.id, category: field ? items[i]?.attributes?.[field] : undefined })),
      params: { n_neighbors: m.params.nNeighbors, min_dist: m.params.minDist, seed: m.params.seed, epochs: m.params.epochs, sample: m.params.sample.mode },
    },
  }
}

/** The newest colour run: per-layer Spearman of the language model, and the three aligned embeddings. */
function colourSection(ws: Workspace): ColourSection | undefined {
  const run = latestColourRun(ws)
  if (!run) return undefined
  const { result: res, params } = run
  const layers = (res.language ?? res.visionModel ?? []).map((l) => ({ layer: l.layer, score: l.scores?.spearman ?? 0 }))
  const embeddings: ColourSection['embeddings'] = [{ title: 'CIELAB (human perception), a* × b* plane', points: res.cielab.map((p) => ({ x: p.y, y: p.z, hex: p.hex, label: p.term })) }]
  const bestLang = (res.language ?? []).filter((l) => l.scores).sort((a, b) => b.scores!.spearman - a.scores!.spearman)[0]
  if (bestLang) embeddings.push({ title: `${params.textModel ?? 'language model'}, layer ${bestLang.layer}`, points: bestLang.points.map((p) => ({ x: p.y, y: p.z, hex: p.hex, label: p.term })) })
  if (res.cooccurrence?.points) embeddings.push({ title: 'image co-occurrence (PMI)', points: res.cooccurrence.points.map((p) => ({ x: p.y, y: p.z, hex: p.hex, label: p.term })) })
  return {
    scoreName: `Spearman ρ of pairwise distances vs CIELAB (${params.textModel ?? 'language model'})`,
    layers,
    embeddings,
    // Every embedding is Procrustes-aligned onto CIELAB, so its axes are CIELAB's: the a*×b* hue plane.
    axes: { x: 'a*', y: 'b*' },
    note: res.chanceNote,
  }
}

/** Sections fed by the maps and colour capabilities. */
export async function gatherExtras(ws: Workspace): Promise<{ maps?: MapsSection; colour?: ColourSection }> {
  return { maps: mapsSection(ws), colour: colourSection(ws) }
}
