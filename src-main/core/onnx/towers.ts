import { dataDerivedTensors, findResidualStream, hiddenStateOrder, type GraphSummary, type ModelProto, type TappableTensor, type TensorDecl } from './graph'
import { TOWER_NAMES, type TowerName } from '../../common/contract/features'

/** One encoder of a model with several (CLIP, SigLIP): what feeds it, what it declares, its layers. */
export interface GraphTower {
  name: TowerName
  inputs: TensorDecl[]
  outputs: TensorDecl[]
  hiddenStates: string[]
  residualStream: string[]
  tappable: TappableTensor[]
}

const TEXT_INPUTS = /^(input_ids|attention_mask|token_type_ids|position_ids|inputs_embeds|past_key_values\..*)$/

/** Which tower a graph input feeds: pixels are vision, token inputs are text; anything else neither. */
export function inputTower(i: TensorDecl): TowerName | null {
  if (i.name === 'pixel_values' || i.name === 'pixel_mask') return 'vision'
  if (TEXT_INPUTS.test(i.name)) return 'text'
  if (i.type.startsWith('float') && i.shape?.length === 4) return 'vision'
  return null
}

const BIT: Record<TowerName, number> = { vision: 1, text: 2 }
const OTHER = 4

/**
 * The towers of a graph that holds several encoders, or [] for a graph with one. Every tensor is
 * labelled with the towers whose inputs it depends on (through any operator, shapes included, since
 * any dependency means the input must be fed); a tower is the set of nodes and declared outputs that
 * depend on its inputs alone. Outputs that mix towers (CLIP's logits_per_image) belong to none. It takes
 * two towers, each with a declared output of its own (image_embeds, text_embeds) or, in an export that
 * declares only the logits, repeated blocks of its own; the repeated blocks of each tower
 * (/vision_model/encoder/layers.N, /text_model/...) give its residual stream.
 */
export function findTowers(m: ModelProto, g: Pick<GraphSummary, 'inputs' | 'outputs' | 'tappable'>): GraphTower[] {
  const label = new Map<string, number>()
  for (const i of g.inputs) {
    const t = inputTower(i)
    label.set(i.name, t ? BIT[t] : OTHER)
  }
  const present = new Set(g.inputs.map(inputTower))
  if (!present.has('vision') || !present.has('text')) return []
  const nodes = m.graph!.node ?? []
  const nodeLabel = nodes.map((n) => {
    let l = 0
    for (const t of n.input ?? []) if (t) l |= label.get(t) ?? 0
    for (const t of n.output ?? []) if (t) label.set(t, l)
    return l
  })
  const derived = dataDerivedTensors(m)
  const towers: GraphTower[] = []
  for (const name of TOWER_NAMES) {
    const only = (l: number | undefined): boolean => l === BIT[name]
    const outputs = g.outputs.filter((o) => only(label.get(o.name)))
    const residualStream = findResidualStream(m, derived, (i) => only(nodeLabel[i]))
    // Without an output of its own, a tower needs blocks of its own: a vision-language model's text
    // embedding (which reads only input_ids before the image features join it) is not a tower.
    if (outputs.length === 0 && residualStream.length < 2) return []
    towers.push({
      name,
      inputs: g.inputs.filter((i) => inputTower(i) === name),
      outputs,
      hiddenStates: hiddenStateOrder(outputs.map((o) => o.name)),
      residualStream,
      tappable: g.tappable.filter((t) => only(label.get(t.name))),
    })
  }
  return towers
}

/** Which tower a dataset feeds when none is named: images go to the vision tower, captions to the text tower. */
export function towerForItems(items: readonly { image?: string; caption?: string }[]): TowerName {
  return items.every((it) => typeof it.image === 'string') ? 'vision' : 'text'
}
