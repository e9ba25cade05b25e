import type { AppApi } from '../../common/api'
import type { Workspace } from '../../core/store/workspace'
import { analyseMixture, deleteMixtureTable, getMixtureTable, importMixtureTable, listMixtureTables, surfaceSamples } from '../../core/mix/index'

type MixApi = Pick<AppApi, 'mix.import' | 'mix.list' | 'mix.remove' | 'mix.analyse'>

/** The data-mixture part of the AppApi (Mixtures view). */
export function mixHandlers(ws: Workspace, changed: () => void): MixApi {
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
  }
}
