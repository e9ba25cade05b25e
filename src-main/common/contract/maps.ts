/**
 * Maps that cross the API (Maps view): stored UMAP layouts of one feature set, the linked-neighbour
 * panel that compares two of them, and the map of models placed by their alignment scores.
 */

/** How models are placed from their alignment distances; `auto` picks MDS for few models, else UMAP. */
export const MODEL_MAP_METHODS = ['auto', 'mds', 'umap'] as const
export type ModelMapMethod = (typeof MODEL_MAP_METHODS)[number]

export interface StoredMap {
  id: string
  featureSet: string
  modelName: string
  datasetId: string
  layer: number
  layerName: string
  nTotal: number
  params: { sample: { mode: string; size: number | null; seed: number }; nNeighbors: number; minDist: number; seed: number; epochs: number }
  indices: number[]
  coords: number[]
  knnK: number
  knn: number[]
  ep: string | null
  seconds: number
  createdAt: string
}

/** One selected item's neighbours in two spaces and what they share. */
export interface NeighbourRow {
  index: number
  /** k nearest items in space A, nearest first. */
  a: number[]
  /** k nearest items in space B, nearest first. */
  b: number[]
  /** Items in both lists, in the order of `a`. */
  shared: number[]
  /** |shared| / k: this item's term of the mutual k-NN score. */
  overlap: number
}

export interface NeighbourPanel {
  k: number
  rows: NeighbourRow[]
  /** Mean of `overlap` over the selection (mutual k-NN restricted to it); null for an empty selection. */
  meanOverlap: number | null
}

export interface ModelPoint {
  name: string
  x: number
  y: number
}

export interface ModelMap {
  points: ModelPoint[]
  method: 'mds' | 'umap'
  seed: number
  /** The n × n distances the layout was made from (1 − score, clipped, symmetric, zero diagonal), row-major. */
  distances: { rows: number; cols: number; data: number[] }
  /** MDS only: Kruskal stress-1 of the 2-D layout and the share of positive eigenvalue mass kept. */
  stress: number | null
  explained: number | null
  /** UMAP only: neighbourhood size counting the model itself. */
  nNeighbors: number | null
}

/** A stored map without its coordinates and neighbour lists (`maps.list`). */
export type MapSummary = Omit<StoredMap, 'coords' | 'knn' | 'indices'>

export interface MapDetail extends StoredMap {
  /** Per sampled item: dataset id, caption and attributes (for colouring and hover). */
  items: { index: number; id: string; caption: string | null; attributes: Record<string, string> }[]
}
