import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError, badInput } from '../../common/errors'
import type { ModelDto, Modality } from '../../common/contract/registry'
import type { Workspace } from '../store/workspace'
import { describeModel } from './describeModel'

interface ModelRow {
  id: string
  name: string
  path: string
  format: 'onnx-folder' | 'onnx-file'
  modality: Modality
  sha256: string
  bytes: number
  tags: string
  capabilities: string
  info: string
  added_at: string
}

function toDto(r: ModelRow): ModelDto {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    format: r.format,
    modality: r.modality,
    sha256: r.sha256,
    bytes: r.bytes,
    tags: JSON.parse(r.tags) as Record<string, string>,
    capabilities: JSON.parse(r.capabilities) as Record<string, number>,
    info: JSON.parse(r.info) as Record<string, unknown>,
    addedAt: r.added_at,
  }
}

export function countModels(ws: Workspace): number {
  return (ws.db.prepare('SELECT COUNT(*) AS n FROM models').get() as { n: number }).n
}

export function listModels(ws: Workspace): ModelDto[] {
  return (ws.db.prepare('SELECT * FROM models ORDER BY added_at, name').all() as ModelRow[]).map(toDto)
}

export function getModel(ws: Workspace, id: string): ModelDto {
  const r = ws.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined
  if (!r) throw new AppError('NOT_FOUND', `no model with id ${id}`)
  return toDto(r)
}

export function findModelByPath(ws: Workspace, p: string): ModelDto | null {
  const r = ws.db.prepare('SELECT * FROM models WHERE path = ?').get(path.resolve(p)) as ModelRow | undefined
  return r ? toDto(r) : null
}

/**
 * Registers a checkpoint (an Optimum/transformers.js folder or a bare .onnx file). The graph is parsed
 * to detect the modality and to refuse files that are not ONNX; the content hash covers the graph and
 * any external-data files, so an edited checkpoint gets a new hash and new cache keys.
 * Registering the same path again refreshes it and keeps its id, tags and capability scores.
 */
export async function addModel(ws: Workspace, modelPath: string, name?: string): Promise<ModelDto> {
  const abs = path.resolve(modelPath)
  if (!fs.existsSync(abs)) throw badInput(abs, 'no such file or folder')
  const d = await describeModel(ws, abs)
  const sha = d.sha256
  const bytes = d.bytes
  const existing = findModelByPath(ws, abs)
  const now = new Date().toISOString()
  const displayName = name ?? existing?.name ?? d.defaultName
  if (existing) {
    ws.db.prepare('UPDATE models SET name=?, format=?, modality=?, sha256=?, bytes=?, info=? WHERE id=?').run(displayName, d.format, d.modality, sha, bytes, JSON.stringify(d.info), existing.id)
    return getModel(ws, existing.id)
  }
  const id = `m_${crypto.randomBytes(5).toString('hex')}`
  ws.db
    .prepare('INSERT INTO models(id, name, path, format, modality, sha256, bytes, info, added_at) VALUES (?,?,?,?,?,?,?,?,?)')
    .run(id, displayName, abs, d.format, d.modality, sha, bytes, JSON.stringify(d.info), now)
  return getModel(ws, id)
}

export function removeModel(ws: Workspace, id: string): boolean {
  return ws.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0
}

export function updateModel(ws: Workspace, id: string, patch: { name?: string; tags?: Record<string, string>; capabilities?: Record<string, number> }): ModelDto {
  getModel(ws, id)
  ws.tx(() => {
    if (patch.name !== undefined) ws.db.prepare('UPDATE models SET name=? WHERE id=?').run(patch.name, id)
    if (patch.tags !== undefined) ws.db.prepare('UPDATE models SET tags=? WHERE id=?').run(JSON.stringify(patch.tags), id)
    if (patch.capabilities !== undefined) ws.db.prepare('UPDATE models SET capabilities=? WHERE id=?').run(JSON.stringify(patch.capabilities), id)
  })
  return getModel(ws, id)
}
