import type { XY } from '../../common/contract/mix'

export type { XY } from '../../common/contract/mix'

/**
 * Convex hull of the points, counter-clockwise, without collinear points (Andrew's monotone chain,
 * A. M. Andrew, Inf. Proc. Letters 9(5), 1979). Returns 1 or 2 vertices for degenerate inputs.
 */
export function convexHull(points: readonly XY[]): XY[] {
  const pts = [...new Map(points.map((p) => [`${p.x},${p.y}`, { x: p.x, y: p.y }])).values()].sort((a, b) => a.x - b.x || a.y - b.y)
  if (pts.length <= 2) return pts
  const cross = (o: XY, a: XY, b: XY): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
  const lower: XY[] = []
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop()
    lower.push(p)
  }
  const upper: XY[] = []
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop()
    upper.push(p)
  }
  lower.pop()
  upper.pop()
  const hull = lower.concat(upper)
  return hull.length >= 2 ? hull : pts.slice(0, 1)
}

/** Whether p lies inside or on a counter-clockwise convex hull (relative tolerance on the edge tests). */
export function insideHull(hull: readonly XY[], p: XY, tol = 1e-9): boolean {
  if (hull.length === 0) return false
  if (hull.length === 1) return Math.abs(hull[0]!.x - p.x) <= tol && Math.abs(hull[0]!.y - p.y) <= tol
  let scale = 0
  for (const h of hull) scale = Math.max(scale, Math.abs(h.x), Math.abs(h.y))
  const eps = tol * Math.max(1, scale) ** 2
  if (hull.length === 2) {
    const [a, b] = hull as [XY, XY]
    const cr = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
    const dot = (p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)
    const len2 = (b.x - a.x) ** 2 + (b.y - a.y) ** 2
    return Math.abs(cr) <= eps && dot >= -eps && dot <= len2 + eps
  }
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % hull.length]!
    if ((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) < -eps) return false
  }
  return true
}
