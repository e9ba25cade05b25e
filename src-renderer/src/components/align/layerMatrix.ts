import type { AlignmentRecord } from '../../../../src-main/core/align/resultsStore'

/** A stored record's layer × layer table oriented as the user asked (rows = model A of the pair). */
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

/** Axis labels: the layer names when short, else their positions (full names stay in the tooltip). */
export function axisLabels(names: string[]): string[] {
  if (names.every((n) => n.length <= 14)) return names
  let i = 0
  return names.map((n) => (n === 'concat' ? n : String(i++)))
}
