import { badInput } from '../../common/errors'
import type { DatasetDto, ModelDto } from '../../common/contract/registry'
import type { TowerName } from '../../common/contract/features'
import { modelRefLabel, modelTowers, parseModelRef } from '../../common/modelRef'
import { getModel } from './models'

export interface ResolvedModelRef {
  ref: string
  model: ModelDto
  /** The tower that runs, for a dual encoder; null for a model with one. */
  tower: TowerName | null
  label: string
}

/**
 * A model reference (`id` or `id:tower`) against the registry. A dual encoder named without a tower
 * runs the one the dataset feeds, as `extract` does (images: vision, else text); naming a tower of a
 * model with one is allowed only for its own modality.
 */
export function resolveModelRef(ws: Parameters<typeof getModel>[0], ref: string, dataset: Pick<DatasetDto, 'hasImages'> | null): ResolvedModelRef {
  const p = parseModelRef(ref)
  const model = getModel(ws, p.id)
  const towers = modelTowers(model)
  let tower = p.tower
  if (towers.length === 0) {
    if (tower && tower !== model.modality) throw badInput(ref, `${model.name} has one tower (${model.modality}), not a ${tower} tower`)
    tower = null
  } else {
    tower ??= dataset ? (dataset.hasImages ? 'vision' : 'text') : towers[0]!
    if (!towers.includes(tower)) throw badInput(ref, `${model.name} has no ${tower} tower (towers: ${towers.join(', ')})`)
  }
  return { ref, model, tower, label: modelRefLabel(model.name, tower) }
}
