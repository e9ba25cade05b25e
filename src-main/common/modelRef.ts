import type { ModelDto } from './dto'

/** The towers a dual encoder can run (the same names as `extract --tower`). */
export type TowerRef = 'vision' | 'text'

/**
 * A model in a sweep or an alignment matrix: its id, or `id:tower` for one tower of a dual encoder
 * (CLIP, SigLIP), so that a model's image tower and text tower can be aligned with each other.
 */
export function parseModelRef(ref: string): { id: string; tower: TowerRef | null } {
  const m = /^(.+):(vision|text)$/.exec(ref)
  return m ? { id: m[1]!, tower: m[2] as TowerRef } : { id: ref, tower: null }
}

export function modelRef(id: string, tower: TowerRef | null): string {
  return tower ? `${id}:${tower}` : id
}

/** How a model, or one of its towers, is named in lists and charts: "clip-tiny · vision". */
export function modelRefLabel(name: string, tower: TowerRef | null): string {
  return tower ? `${name} · ${tower}` : name
}

/** The towers the registry found in a model (`info.towers`), or [] for a model with one. */
export function modelTowers(m: Pick<ModelDto, 'info'>): TowerRef[] {
  const t = m.info.towers
  return Array.isArray(t) ? t.map((x) => (x as { name: TowerRef }).name).filter((n) => n === 'vision' || n === 'text') : []
}

/** Every pickable entry of a model list: a model, or each tower of a dual encoder. */
export interface ModelRefEntry {
  ref: string
  id: string
  tower: TowerRef | null
  label: string
}

export function modelRefsOf(models: readonly Pick<ModelDto, 'id' | 'name' | 'info'>[]): ModelRefEntry[] {
  return models.flatMap((m): ModelRefEntry[] => {
    const towers = modelTowers(m)
    return towers.length ? towers.map((t) => ({ ref: modelRef(m.id, t), id: m.id, tower: t, label: modelRefLabel(m.name, t) })) : [{ ref: m.id, id: m.id, tower: null, label: m.name }]
  })
}
