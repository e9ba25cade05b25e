import type { AlignmentRecord } from '../../../../src-main/common/contract/align'

/** A stored record's layer × layer table oriented as the view shows the pair (rows = model A). */
export interface OrientedLayers {
  matrix: (number | null)[][]
  rowNames: string[]
  colNames: string[]
  concat: boolean
  /** Matrix indices of the chosen (best) pair, or null (2-D inputs, undefined score). */
  best: [number, number] | null
}

type Rec = AlignmentRecord & { layersA: string[]; layersB: string[] }

/**
 * The record stores (L_A × L_B), or ((L_A+1) × (L_B+1)) under max+concat with row/column 0 the
 * concatenation (index −1 in `result.layers`). `swap` transposes when the record was computed with
 * the pair's models in the other order.
 */
export function orientLayers(rec: Rec, swap: boolean): OrientedLayers | null {
  const raw = rec.result.matrix
  if (!raw || !raw.length) return null
  const concat = rec.layersMode === 'max+concat'
  const names = (list: string[], count: number): string[] => {
    const base = Array.from({ length: count - (concat ? 1 : 0) }, (_, i) => list[i] ?? String(i))
    return concat ? ['concat', ...base] : base
  }
  const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v)
  const a = raw.map((row) => row.map(finite))
  const rowsA = names(rec.layersA, a.length)
  const colsB = names(rec.layersB, a[0]!.length)
  const off = concat ? 1 : 0
  const l = rec.result.undefined_reason ? null : rec.result.layers
  const bestAB: [number, number] | null = l ? [l[0] + off, l[1] + off] : null
  if (!swap) return { matrix: a, rowNames: rowsA, colNames: colsB, concat, best: bestAB }
  const t = colsB.map((_, j) => a.map((row) => row[j] ?? null))
  return { matrix: t, rowNames: colsB, colNames: rowsA, concat, best: bestAB ? [bestAB[1], bestAB[0]] : null }
}

/**
 * The numbered module scope of an exported tensor name: `/layer2/layer2.0/relu_1/Relu_output_0` ->
 * `layer2`, `/features/features.3/features.3.0/Add_output_0` -> `features.3` (a CNN's stages), or null.
 */
function scopeLabel(name: string): string | null {
  return name.split('/').find((seg) => /^[A-Za-z][\w-]*?[._-]?\d+$/.test(seg)) ?? null
}

/**
 * Axis labels: the layer names when short; else their module scopes (a CNN's stages: layer1..layer4,
 * features.0..7) when those are short and tell every layer apart; else positions (full names stay in
 * the tooltip).
 */
export function axisLabels(names: string[]): string[] {
  if (names.every((n) => n.length <= 14)) return names
  const scopes = names.map((n) => (n === 'concat' ? n : scopeLabel(n)))
  if (scopes.every((s): s is string => s !== null && s.length <= 14) && new Set(scopes).size === names.length) return scopes
  let i = 0
  return names.map((n) => (n === 'concat' ? n : String(i++)))
}
