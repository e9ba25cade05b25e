import crypto from 'node:crypto'
import { AppError } from '../../common/errors'
import type { Workspace } from '../store/workspace'
import type { StoredMap } from '../../common/contract/maps'

export type { StoredMap } from '../../common/contract/maps'

interface Row {
  id: string
  key: string
  feature_set: string
  model_name: string
  dataset_id: string
  layer: number
  layer_name: string
  n_total: number
  params: string
  indices: string
  coords: string
  knn_k: number
  knn: string
  ep: string | null
  seconds: number
  created_at: string
}

function fromRow(r: Row): StoredMap {
  return {
    id: r.id,
    featureSet: r.feature_set,
    modelName: r.model_name,
    datasetId: r.dataset_id,
    layer: r.layer,
    layerName: r.layer_name,
    nTotal: r.n_total,
    params: JSON.parse(r.params) as StoredMap['params'],
    indices: JSON.parse(r.indices) as number[],
    coords: JSON.parse(r.coords) as number[],
    knnK: r.knn_k,
    knn: JSON.parse(r.knn) as number[],
    ep: r.ep,
    seconds: r.seconds,
    createdAt: r.created_at,
  }
}

export function mapKey(parts: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

export function findMapByKey(ws: Workspace, key: string): StoredMap | null {
  const r = ws.db.prepare('SELECT * FROM maps WHERE key = ?').get(key) as Row | undefined
  return r ? fromRow(r) : null
}

export function saveMap(ws: Workspace, key: string, m: Omit<StoredMap, 'id' | 'createdAt'>): StoredMap {
  const id = `map_${key.slice(0, 12)}`
  ws.db
    .prepare(
      `INSERT OR REPLACE INTO maps(id, key, feature_set, model_name, dataset_id, layer, layer_name, n_total, params, indices, coords, knn_k, knn, ep, seconds, created_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    )
    .run(id, key, m.featureSet, m.modelName, m.datasetId, m.layer, m.layerName, m.nTotal, JSON.stringify(m.params), JSON.stringify(m.indices), JSON.stringify(m.coords), m.knnK, JSON.stringify(m.knn), m.ep, m.seconds, new Date().toISOString())
  return getMap(ws, id)
}

export function getMap(ws: Workspace, id: string): StoredMap {
  const r = ws.db.prepare('SELECT * FROM maps WHERE id = ?').get(id) as Row | undefined
  if (!r) throw new AppError('NOT_FOUND', `no map ${id}`)
  return fromRow(r)
}

export function listMaps(ws: Workspace): Omit<StoredMap, 'coords' | 'knn' | 'indices'>[] {
  return (ws.db.prepare('SELECT * FROM maps ORDER BY created_at DESC').all() as Row[]).map((r) => {
    const { coords: _c, knn: _k, indices: _i, ...rest } = fromRow(r)
    return rest
  })
}

export function deleteMap(ws: Workspace, id: string): boolean {
  return ws.db.prepare('DELETE FROM maps WHERE id = ?').run(id).changes > 0
}
