import fs from 'node:fs'
import path from 'node:path'
import type { AppApi } from '../../common/api'
import type { MapDetail, StoredMap } from '../../common/contract/maps'
import { AppError, badInput } from '../../common/errors'
import type { Workspace } from '../../core/store/workspace'
import { deleteMap, getMap, listMaps } from '../../core/maps/mapStore'
import { latestColourRun } from '../../core/colour/colourRunStore'
import { neighbourPanel } from '../../core/maps/linkedNeighbours'
import { modelMap } from '../../core/maps/modelMap'
import { datasetItemsCached, getDataset } from '../../core/registry/datasets'
import { gatherReportData } from '../../core/report/gather'
import { buildReportHtml, chosenSections } from '../../core/report/buildReportHtml'
import { gpuStatus } from '../../core/gpu/status'
import { reportsDir } from '../../jobs/reportJob'
import type { AppApi as Api } from '../../common/api'
import { readUserFile } from '../../core/data/userFile'

type ViewsApi = Pick<
  AppApi,
  'maps.list' | 'maps.get' | 'maps.remove' | 'maps.neighbours' | 'maps.thumbnail' | 'maps.models' | 'colour.latest' | 'report.html' | 'report.file' | 'gpu.status' | 'welcome.dismiss'
>

/** Dense [nTotal, k] neighbour table in dataset-index space (-1 for items the map did not sample). */
function denseKnn(m: StoredMap): Int32Array {
  const out = new Int32Array(m.nTotal * m.knnK).fill(-1)
  m.indices.forEach((datasetIndex, row) => {
    for (let j = 0; j < m.knnK; j++) out[datasetIndex * m.knnK + j] = m.knn[row * m.knnK + j]!
  })
  return out
}

/** Maps, colour, report and GPU parts of the AppApi. Everything here reads stored results or is quick. */
export function viewsHandlers(ws: Workspace, changed: () => void, alignMatrix: Api['align.matrix']): ViewsApi {
  return {
    'maps.list': async () => listMaps(ws),
    'maps.get': async ({ id }) => {
      const m = getMap(ws, id)
      const ds = getDataset(ws, m.datasetId)
      const items = datasetItemsCached(ws, ds).items
      const detail: MapDetail = {
        ...m,
        items: m.indices.map((i) => ({ index: i, id: items[i]?.id ?? String(i), caption: items[i]?.caption ?? null, attributes: items[i]?.attributes ?? {} })),
      }
      return detail
    },
    'maps.remove': async ({ id }) => {
      const removed = deleteMap(ws, id)
      changed()
      return { removed }
    },
    'maps.neighbours': async ({ a, b, selected }) => {
      const A = getMap(ws, a)
      const B = getMap(ws, b)
      if (A.datasetId !== B.datasetId) throw badInput('maps', 'the two maps are of different datasets; linked selection needs the same items')
      const k = Math.min(A.knnK, B.knnK)
      if (k < 1) throw badInput('maps', 'these maps have no stored neighbour lists')
      const inA = new Set(A.indices)
      const inB = new Set(B.indices)
      const both = selected.filter((i) => inA.has(i) && inB.has(i))
      const missing = selected.filter((i) => !(inA.has(i) && inB.has(i)))
      const panel = neighbourPanel(denseKnn(A), denseKnn(B), k, both, { strideA: A.knnK, strideB: B.knnK })
      return { ...panel, missing }
    },
    'maps.thumbnail': async ({ datasetId, index }) => {
      const ds = getDataset(ws, datasetId)
      const item = datasetItemsCached(ws, ds).items[index]
      if (!item) throw new AppError('NOT_FOUND', `${ds.name}: no item ${index}`)
      if (!item.image) return { dataUrl: null, caption: item.caption ?? null }
      // The loader already confined the path to the dataset folder; the file may have changed since.
      const bytes = readUserFile(item.image, { what: 'an image', maxBytes: 64 << 20 })
      const type = bytes[0] === 0x89 ? 'image/png' : 'image/jpeg'
      return { dataUrl: `data:${type};base64,${bytes.toString('base64')}`, caption: item.caption ?? null }
    },
    'maps.models': async ({ modelIds, datasetId, metric, k, prep, q, layersMode, method, scores: which }) => {
      const mat = await alignMatrix({ modelIds, datasetId, metric, k, prep, q, layersMode })
      const usable = mat.models.map((_, i) => i).filter((i) => mat.models.some((__, j) => j !== i && (mat.cells[i]![j] || mat.cells[j]![i])))
      const missing = mat.models.filter((_, i) => !usable.includes(i)).map((m) => m.name)
      if (usable.length < 2) throw badInput('models', 'need alignment results between at least two of the chosen models (run the alignment first)')
      const n = usable.length
      const scores = new Float64Array(n * n)
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (a === b) {
            scores[a * n + b] = 1
            continue
          }
          const c = mat.cells[usable[a]!]![usable[b]!] ?? mat.cells[usable[b]!]![usable[a]!]
          if (!c) throw badInput('models', `no stored ${metric} between ${mat.models[usable[a]!]!.name} and ${mat.models[usable[b]!]!.name}; run the alignment for all pairs`)
          if (which === 'calibrated' && !c.calibration) throw badInput('models', `no calibrated ${metric} between ${mat.models[usable[a]!]!.name} and ${mat.models[usable[b]!]!.name}; run the sweep with Calibration K > 0`)
          scores[a * n + b] = which === 'calibrated' ? c.calibration!.score : c.score
        }
      }
      const names = usable.map((i) => mat.models[i]!.name)
      const r = await modelMap(names, { data: scores, rows: n, cols: n }, { method: method ?? 'auto', seed: 0 })
      return { ...r, missing, modelIds: usable.map((i) => mat.models[i]!.id) }
    },
    'colour.latest': async () => latestColourRun(ws),
    'report.html': async ({ sections, paper }) => {
      const data = await gatherReportData(ws)
      return { html: buildReportHtml(data, { paper: paper ?? 'A4', sections }), sections: chosenSections(data, sections) }
    },
    'report.file': async ({ name }) => {
      if (name !== path.basename(name) || !/^[\w.-]+\.pdf$/.test(name)) throw badInput(name, 'not a report file name')
      const file = path.join(reportsDir(ws.dir), name)
      if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `${name}: no such report`)
      return { name, base64: fs.readFileSync(file).toString('base64') }
    },
    'gpu.status': async () => gpuStatus(),
    'welcome.dismiss': async () => {
      ws.setSetting('welcome.dismissed', '1')
      return { ok: true as const }
    },
  }
}
