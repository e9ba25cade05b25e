import type { AppApi } from '../../common/api'
import type { Workspace } from '../../core/store/workspace'
import type { ModelDto } from '../../common/contract/registry'
import { listModels } from '../../core/registry/models'
import { alignmentVersusMixture, analyseMixture, deleteMixtureTable, getMixtureTable, importMixtureTable, listMixtureTables, surfaceSamples } from '../../core/mix/index'

type MixApi = Pick<AppApi, 'mix.import' | 'mix.list' | 'mix.remove' | 'mix.analyse' | 'mix.alignment'>

/** The data-mixture part of the AppApi (Mixtures view). */
/** A model's mixture share: a numeric tag or capability whose name contains the key (case-insensitive). */
export function mixtureShare(m: ModelDto, key: string): { name: string; value: number } | null {
  const k = key.toLowerCase()
  for (const [name, v] of Object.entries(m.capabilities)) if (name.toLowerCase().includes(k) && Number.isFinite(v)) return { name, value: v }
  for (const [name, v] of Object.entries(m.tags)) {
    const x = Number(String(v).replace(/%$/, ''))
    if (name.toLowerCase().includes(k) && String(v).trim() !== '' && Number.isFinite(x)) return { name, value: x }
  }
  return null
}

export function mixHandlers(ws: Workspace, changed: () => void, alignMatrix: AppApi['align.matrix']): MixApi {
  return {
    'mix.import': async ({ path }) => {
      const r = await importMixtureTable(ws, path)
      changed()
      return r
    },
    'mix.list': async () => listMixtureTables(ws),
    'mix.remove': async ({ id }) => {
      const removed = deleteMixtureTable(ws, id)
      changed()
      return { removed }
    },
    'mix.analyse': async ({ id, sourcesId, ...opts }) => {
      const stored = getMixtureTable(ws, id)
      const sources = sourcesId ? getMixtureTable(ws, sourcesId).table : undefined
      const analysis = analyseMixture(stored.table, { ...opts, sources })
      const t = stored.table
      return { summary: stored.summary, table: { name: t.name, columns: t.columns, numeric: t.numeric, rows: t.rows }, analysis, surface: analysis.fit ? surfaceSamples(analysis.fit) : null }
    },
    'mix.alignment': async ({ datasetId, shareKey, metric, k, prep, q, layersMode }) => {
      const key = shareKey ?? 'reasoning'
      const models = listModels(ws)
      const text = models.filter((m) => m.modality === 'text' && mixtureShare(m, key))
      const vision = models.filter((m) => m.modality === 'vision')
      if (!text.length || !vision.length) return { ...alignmentVersusMixture([]), shareName: null, textModels: text.length, visionModels: vision.map((v) => v.name), missing: [] }
      const ids = [...text, ...vision].map((m) => m.id)
      const mat = await alignMatrix({ modelIds: ids, datasetId, metric, k, prep, q, layersMode })
      const points = []
      const missing: string[] = []
      for (const [i, t] of text.entries()) {
        for (const [vj, v] of vision.entries()) {
          const j = text.length + vj
          const c = mat.cells[i]![j] ?? mat.cells[j]![i]
          if (c) points.push({ share: mixtureShare(t, key)!.value, score: c.score, model: t.name, visionModel: v.name })
          else missing.push(`${t.name} × ${v.name}`)
        }
      }
      const n = mat.n
      const r = alignmentVersusMixture(points, metric === 'mutual_knn' && n ? { k, n } : {})
      return { ...r, shareName: mixtureShare(text[0]!, key)!.name, textModels: text.length, visionModels: vision.map((v) => v.name), missing }
    },
  }
}
