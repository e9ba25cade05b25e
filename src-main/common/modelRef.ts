import { TOWER_NAMES, type TowerName } from './contract/features'
import type { ModelDto } from './contract/registry'

/**
 * A model in a sweep or an alignment matrix: its id, or `id:tower` for one tower of a dual encoder
 * (CLIP, SigLIP), so that a model's image tower and text tower can be aligned with each other.
 */
export function parseModelRef(ref: string): { id: string; tower: TowerName | null } {
  const at = ref.lastIndexOf(':')
  const tower = at > 0 ? TOWER_NAMES.find((t) => t === ref.slice(at + 1)) : undefined
  return tower ? { id: ref.slice(0, at), tower } : { id: ref, tower: null }
}

export function modelRef(id: string, tower: TowerName | null): string {
  return tower ? `${id}:${tower}` : id
}

/** How a model, or one of its towers, is named in lists and charts: "clip-tiny · vision". */
export function modelRefLabel(name: string, tower: TowerName | null): string {
  return tower ? `${name} · ${tower}` : name
}

/** The towers the registry found in a model (`info.towers`), or [] for a model with one. */
export function modelTowers(m: Pick<ModelDto, 'info'>): TowerName[] {
  const t = m.info.towers
  return Array.isArray(t) ? t.flatMap((x) => TOWER_NAMES.filter((n) => n === (x as { name?: unknown }).name)) : []
}

/** Every pickable entry of a model list: a model, or each tower of a dual encoder. */
export interface ModelRefEntry {
  ref: string
  id: string
  tower: TowerName | null
  label: string
}

export function modelRefsOf(models: readonly Pick<ModelDto, 'id' | 'name' | 'info'>[]): ModelRefEntry[] {
  return models.flatMap((m): ModelRefEntry[] => {
    const towers = modelTowers(m)
    return towers.length ? towers.map((t) => ({ ref: modelRef(m.id, t), id: m.id, tower: t, label: modelRefLabel(m.name, t) })) : [{ ref: m.id, id: m.id, tower: null, label: m.name }]
  })
}
