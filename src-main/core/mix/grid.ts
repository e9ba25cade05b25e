import { badInput } from '../../common/errors'
import type { Direction } from './rankRecipes'
import type { SurfacePoint } from './surface'
import type { GridHeatmap } from '../../common/contract/mix'

export type { GridHeatmap } from '../../common/contract/mix'

/**
 * Long-form cells → a dense heatmap over the sorted distinct x and y values, with unsampled cells left
 * null (the paper's Table 1 has 30 of 42 cells) and the best observed cell marked. Two rows for the
 * same (x, y) are an error, since a heatmap cell can show only one value.
 */
export function gridHeatmap(points: readonly SurfacePoint[], direction: Direction = 'higher', where = 'grid'): GridHeatmap {
  if (points.length === 0) throw badInput(where, 'no cells with a value')
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b)
  const ys = [...new Set(points.map((p) => p.y))].sort((a, b) => a - b)
  const values: (number | null)[][] = ys.map(() => xs.map(() => null))
  let best = points[0]!
  for (const p of points) {
    const j = ys.indexOf(p.y)
    const i = xs.indexOf(p.x)
    if (values[j]![i] !== null) throw badInput(where, `two rows for the cell x = ${p.x}, y = ${p.y}`)
    values[j]![i] = p.z
    if (direction === 'higher' ? p.z > best.z : p.z < best.z) best = p
  }
  return { xs, ys, values, best: { x: best.x, y: best.y, value: best.z }, missing: xs.length * ys.length - points.length }
}
