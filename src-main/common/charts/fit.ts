/**
 * Ordinary least-squares line y = a + b·x over the finite pairs (float64 sums, centred to avoid
 * cancellation): b = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², a = ȳ − b·x̄. Null when fewer than two distinct x.
 */
export function leastSquaresLine(xs: ArrayLike<number>, ys: ArrayLike<number>): { intercept: number; slope: number } | null {
  let n = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!
    const y = ys[i]!
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    n++
    sx += x
    sy += y
  }
  if (n < 2) return null
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!
    const y = ys[i]!
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue
    sxx += (x - mx) * (x - mx)
    sxy += (x - mx) * (y - my)
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  return { intercept: my - slope * mx, slope }
}

export interface XY {
  x: number
  y: number
}

/**
 * Pareto front of points when both coordinates are to be maximised (or minimised, per flag): the points
 * no other point beats in both coordinates (ties kept), sorted by x ascending. O(n log n) sweep.
 */
export function paretoFront<T extends XY>(points: T[], maximizeX = true, maximizeY = true): T[] {
  const sx = maximizeX ? 1 : -1
  const sy = maximizeY ? 1 : -1
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  // Best x first; among equal x, best y first. A point is on the front iff its y beats every y seen so far.
  pts.sort((a, b) => sx * (b.x - a.x) || sy * (b.y - a.y))
  const front: T[] = []
  let bestY = -Infinity
  let lastX = NaN
  let lastY = NaN
  for (const p of pts) {
    const y = sy * p.y
    if (y > bestY || (p.x === lastX && p.y === lastY)) {
      front.push(p)
      if (y > bestY) bestY = y
      lastX = p.x
      lastY = p.y
    }
  }
  return front.sort((a, b) => a.x - b.x)
}
