import crypto from 'node:crypto'
import path from 'node:path'
import { AppError } from '../../common/errors'
import type { DatasetDto, DatasetItemDto } from '../../common/contract/registry'
import type { Workspace } from '../store/workspace'
import fs from 'node:fs'
import { loadDataset, type DatasetItem } from '../data/dataset'

interface DatasetRow {
  id: string
  name: string
  path: string
  format: string
  n: number
  has_images: number
  has_text: number
  sha256: string
  bytes: number
  info: string
  added_at: string
}

function toDto(r: DatasetRow): DatasetDto {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    format: r.format,
    n: r.n,
    hasImages: !!r.has_images,
    hasText: !!r.has_text,
    sha256: r.sha256,
    bytes: r.bytes,
    info: JSON.parse(r.info) as Record<string, unknown>,
    addedAt: r.added_at,
  }
}

export function countDatasets(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n
}

export function listDatasets(ws: Workspace): DatasetDto[] {
  return (ws.db.prepare('SELECT * FROM datasets ORDER BY added_at, name').all() as DatasetRow[]).map(toDto)
}

export function getDataset(ws: Workspace, id: string): DatasetDto {
  const r = ws.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
  if (!r) throw new AppError('NOT_FOUND', `no dataset with id ${id}`)
  return toDto(r)
}

/**
 * Registers a dataset after loading and validating it completely (every referenced image must exist
 * inside the dataset folder); the content hash covers the manifest and every referenced file.
 */
export function addDataset(ws: Workspace, datasetPath: string, name?: string): DatasetDto {
  const abs = path.resolve(datasetPath)
  const d = loadDataset(abs, ws)
  const existing = ws.db.prepare('SELECT id, name FROM datasets WHERE path = ?').get(abs) as { id: string; name: string } | undefined
  const { hasImages, hasText } = d
  const attributeKeys = [...new Set(d.items.flatMap((i) => Object.keys(i.attributes ?? {})))]
  const info = { attributeKeys }
  const displayName = name ?? existing?.name ?? path.basename(abs).replace(/\.(jsonl|csv|txt)$/i, '')
  if (existing) {
    ws.db
      .prepare('UPDATE datasets SET name=?, format=?, n=?, has_images=?, has_text=?, sha256=?, bytes=?, info=? WHERE id=?')
      .run(displayName, d.format, d.items.length, hasImages ? 1 : 0, hasText ? 1 : 0, d.sha256, d.bytes, JSON.stringify(info), existing.id)
    return getDataset(ws, existing.id)
  }
  const id = `d_${crypto.randomBytes(5).toString('hex')}`
  ws.db
    .prepare('INSERT INTO datasets(id, name, path, format, n, has_images, has_text, sha256, bytes, info, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)')
    .run(id, displayName, abs, d.format, d.items.length, hasImages ? 1 : 0, hasText ? 1 : 0, d.sha256, d.bytes, JSON.stringify(info), new Date().toISOString())
  return getDataset(ws, id)
}

/**
 * The items of a registered dataset for the views (pages of items, map hover, thumbnails), loaded once
 * and kept while the dataset's manifest is unchanged (same path, size and mtime). Hovering a map must
 * not re-read and re-check every image path on each call. Extraction always loads afresh.
 */
const itemsCache = new Map<string, { stamp: string; items: DatasetItem[]; root: string }>()
export function datasetItemsCached(ws: Workspace, ds: DatasetDto): { items: DatasetItem[]; root: string } {
  const st = fs.statSync(ds.path)
  const manifest = st.isDirectory() && fs.existsSync(path.join(ds.path, 'captions.jsonl')) ? fs.statSync(path.join(ds.path, 'captions.jsonl')) : st
  const stamp = `${ds.sha256}:${manifest.size}:${manifest.mtimeMs}`
  const hit = itemsCache.get(ds.path)
  if (hit && hit.stamp === stamp) return hit
  const d = loadDataset(ds.path, ws)
  const entry = { stamp, items: d.items, root: d.root }
  itemsCache.set(ds.path, entry)
  return entry
}

export function removeDataset(ws: Workspace, id: string): boolean {
  return ws.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0
}

export function datasetItems(ws: Workspace, id: string, offset = 0, limit = 100): { total: number; items: DatasetItemDto[] } {
  const ds = getDataset(ws, id)
  const d = datasetItemsCached(ws, ds)
  const items = d.items.slice(offset, offset + limit).map((it, k) => ({
    index: offset + k,
    id: it.id,
    caption: it.caption,
    image: it.image ? path.relative(d.root, it.image) : undefined,
    attributes: it.attributes,
  }))
  return { total: d.items.length, items }
}
