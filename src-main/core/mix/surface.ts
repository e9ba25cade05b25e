import { badInput } from '../../common/errors'
import { mat } from '../../common/matrix'
import { quantile } from '../../common/stats'
import { leastSquaresQR } from './leastSquares'
import { convexHull, insideHull, type XY } from './region'
import type { Direction } from './rankRecipes'
import { mulberry32 } from '../../common/random'
import type { SurfaceCoefficients, SurfaceOptimum, SurfaceFit } from '../../common/contract/mix'

export type { SurfaceCoefficients, SurfaceOptimum, SurfaceFit } from '../../common/contract/mix'

export interface SurfacePoint {
  x: number
  y: number
  z: number
}

export interface SurfaceFitOptions {
  /** Whether the optimum is the largest (default) or smallest predicted value. */
  direction?: Direction
  /** Bootstrap resamples for the optimum's interval (default 200; 0 skips it). */
  resamples?: number
  /** Seed of the bootstrap (default 1); stored with the result. */
  seed?: number
  /** Two-sided coverage of the percentile interval (default 0.95). */
  level?: number
}

interface Scaling {
  mx: number
  sx: number
  my: number
  sy: number
}

interface RawFit {
  kind: 'quadratic' | 'linear'
  /** Coefficients in scaled units u = (x − mx)/sx, v = (y − my)/sy, order 1, u, v, u², uv, v². */
  c: Float64Array
  s: Scaling
  residuals: Float64Array
  leverage: Float64Array
}

function design(points: readonly SurfacePoint[], s: Scaling, kind: 'quadratic' | 'linear'): Float64Array {
  const p = kind === 'quadratic' ? 6 : 3
  const a = new Float64Array(points.length * p)
  points.forEach((pt, i) => {
    const u = (pt.x - s.mx) / s.sx
    const v = (pt.y - s.my) / s.sy
    a[i * p] = 1
    a[i * p + 1] = u
    a[i * p + 2] = v
    if (p === 6) {
      a[i * p + 3] = u * u
      a[i * p + 4] = u * v
      a[i * p + 5] = v * v
    }
  })
  return a
}

/** |r(x, y)| above this means the sampled points hug a line and the 2-D surface is not determined across it. */
const COLLINEAR_R = 0.95

/** Pearson correlation of the points' x and y (0 when either is constant). */
function correlation(points: readonly SurfacePoint[]): number {
  const n = points.length
  let mx = 0
  let my = 0
  for (const p of points) {
    mx += p.x / n
    my += p.y / n
  }
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my)
    sxx += (p.x - mx) ** 2
    syy += (p.y - my) ** 2
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0
}

function scalingOf(points: readonly SurfacePoint[]): Scaling {
  let x0 = Infinity
  let x1 = -Infinity
  let y0 = Infinity
  let y1 = -Infinity
  for (const p of points) {
    x0 = Math.min(x0, p.x)
    x1 = Math.max(x1, p.x)
    y0 = Math.min(y0, p.y)
    y1 = Math.max(y1, p.y)
  }
  // Centre and half-range map the sampled box to [−1, 1]², which keeps the squared columns of the design well scaled.
  return { mx: (x0 + x1) / 2, sx: (x1 - x0) / 2 || 1, my: (y0 + y1) / 2, sy: (y1 - y0) / 2 || 1 }
}

function fitRaw(points: readonly SurfacePoint[], kind: 'quadratic' | 'linear', s = scalingOf(points)): RawFit | null {
  const p = kind === 'quadratic' ? 6 : 3
  if (points.length < p) return null
  const ls = leastSquaresQR(mat(points.length, p, design(points, s, kind)), points.map((q) => q.z))
  if (!ls.fullRank) return null
  const c = new Float64Array(6)
  c.set(ls.coef)
  return { kind, c, s, residuals: ls.residuals, leverage: ls.leverage }
}

function predictRaw(f: RawFit, x: number, y: number): number {
  const u = (x - f.s.mx) / f.s.sx
  const v = (y - f.s.my) / f.s.sy
  const c = f.c
  return c[0]! + c[1]! * u + c[2]! * v + c[3]! * u * u + c[4]! * u * v + c[5]! * v * v
}

/** Expands the scaled polynomial into the data's units (exact algebra, no refit). */
function unscale(f: RawFit): SurfaceCoefficients {
  const [c0, c1, c2, c3, c4, c5] = f.c as unknown as number[]
  const { mx, sx, my, sy } = f.s
  const b3 = c3! / (sx * sx)
  const b5 = c5! / (sy * sy)
  const b4 = c4! / (sx * sy)
  const b1 = c1! / sx - 2 * b3 * mx - b4 * my
  const b2 = c2! / sy - 2 * b5 * my - b4 * mx
  const b0 = c0! - (c1! * mx) / sx - (c2! * my) / sy + b3 * mx * mx + b4 * mx * my + b5 * my * my
  return { b0, b1, b2, b3, b4, b5 }
}

/** Best predicted value over the convex hull: exact for a quadratic (interior stationary point, edge critical points, vertices). */
function optimumOver(f: RawFit, hull: readonly XY[], direction: Direction): { x: number; y: number; predicted: number; where: SurfaceOptimum['where'] } {
  const better = (a: number, b: number): boolean => (direction === 'higher' ? a > b : a < b)
  let best = { x: hull[0]!.x, y: hull[0]!.y, predicted: predictRaw(f, hull[0]!.x, hull[0]!.y), where: 'vertex' as SurfaceOptimum['where'] }
  const consider = (x: number, y: number, where: SurfaceOptimum['where']): void => {
    const z = predictRaw(f, x, y)
    if (better(z, best.predicted)) best = { x, y, predicted: z, where }
  }
  for (const h of hull) consider(h.x, h.y, 'vertex')
  if (hull.length >= 2) {
    for (let i = 0; i < hull.length; i++) {
      const a = hull[i]!
      const b = hull[(i + 1) % hull.length]!
      if (hull.length === 2 && i === 1) break
      // Along the edge the surface is a parabola in t ∈ [0, 1]; fit it from three values.
      const f0 = predictRaw(f, a.x, a.y)
      const fh = predictRaw(f, (a.x + b.x) / 2, (a.y + b.y) / 2)
      const f1 = predictRaw(f, b.x, b.y)
      const qa = 2 * (f0 - 2 * fh + f1)
      const qb = -3 * f0 + 4 * fh - f1
      if (qa !== 0) {
        const t = -qb / (2 * qa)
        if (t > 0 && t < 1) consider(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y), 'edge')
      }
    }
  }
  if (f.kind === 'quadratic') {
    // ∇z = 0 in scaled units: [2c3 c4; c4 2c5] [u v]ᵀ = −[c1 c2]ᵀ.
    const c = f.c
    const det = 4 * c[3]! * c[5]! - c[4]! * c[4]!
    if (Math.abs(det) > 1e-12 * Math.max(1, c[3]! ** 2 + c[5]! ** 2 + c[4]! ** 2)) {
      const u = (-c[1]! * 2 * c[5]! + c[2]! * c[4]!) / det
      const v = (-c[2]! * 2 * c[3]! + c[1]! * c[4]!) / det
      const x = f.s.mx + u * f.s.sx
      const y = f.s.my + v * f.s.sy
      if (insideHull(hull, { x, y })) consider(x, y, 'interior')
    }
  }
  return best
}

/**
 * Least-squares response surface z = b0 + b1 x + b2 y + b3 x² + b4 xy + b5 y² over sampled mixture
 * cells (Box & Wilson 1951; Myers, Montgomery & Anderson-Cook, Response Surface Methodology, ch. 6).
 * x and y are centred and scaled to [−1, 1] and the system is solved by Householder QR; coefficients
 * are reported back in the data's units. Falls back to the plane b0 + b1 x + b2 y when the quadratic
 * is not identifiable (fewer than 6 points, or fewer than 3 levels on an axis).
 *
 * - R² = 1 − SS_res/SS_tot.
 * - Leave-one-out error from PRESS = Σ (e_i/(1 − h_ii))² with h_ii the hat-matrix diagonal (exact for
 *   least squares, no refits): looRmse = √(PRESS/n); compared with the mean-only model's
 *   √(Σ (n/(n−1))² (z_i − z̄)² / n). A warning is raised when R² ≤ 0 or looRmse ≥ meanLooRmse.
 * - The optimum is restricted to the convex hull of the sampled (x, y) — tighter than the bounding box
 *   for sparse grids such as the paper's L-shaped Table 1 — and found exactly (stationary point if
 *   inside, else the best edge/vertex point).
 * - Its interval: percentile bootstrap over points resampled with replacement (seeded, R = 200 by
 *   default), each resample refitted and optimised over the same hull.
 */
export function fitQuadraticSurface(points: readonly SurfacePoint[], opts: SurfaceFitOptions = {}): SurfaceFit {
  const direction = opts.direction ?? 'higher'
  const resamples = opts.resamples ?? 200
  const seed = opts.seed ?? 1
  const level = opts.level ?? 0.95
  if (!(level > 0 && level < 1)) throw badInput('level', `must lie in (0, 1), got ${level}`)
  if (!Number.isInteger(resamples) || resamples < 0) throw badInput('resamples', `must be a non-negative integer, got ${resamples}`)
  points.forEach((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || !Number.isFinite(p.z)) throw badInput('surface fit', `point ${i + 1} is not finite (${p.x}, ${p.y}, ${p.z})`)
  })
  const warnings: string[] = []
  const n = points.length
  let f = fitRaw(points, 'quadratic')
  if (!f) {
    f = fitRaw(points, 'linear')
    if (!f) throw badInput('surface fit', `needs at least 3 points that do not lie on one line, got ${n}`)
    warnings.push(`a quadratic surface needs at least 6 points with 3 levels on each axis; fitted a plane instead (${n} points)`)
  }
  let zMean = 0
  for (const p of points) zMean += p.z
  zMean /= n
  let ssTot = 0
  let ssRes = 0
  let press = 0
  let pressOk = true
  points.forEach((p, i) => {
    ssTot += (p.z - zMean) ** 2
    const e = f.residuals[i]!
    ssRes += e * e
    const h = f.leverage[i]!
    if (h > 1 - 1e-9) pressOk = false
    else press += (e / (1 - h)) ** 2
  })
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : null
  const looRmse = pressOk ? Math.sqrt(press / n) : null
  const meanLooRmse = n > 1 ? Math.sqrt(((ssTot * (n / (n - 1)) ** 2) / n)) : Infinity
  if (r2 === null) warnings.push('the target is constant over the sampled cells; the surface is flat')
  else if (r2 <= 0) warnings.push(`the fitted surface explains none of the variance (R² = ${r2.toFixed(3)})`)
  if (looRmse === null) warnings.push('leave-one-out error is undefined: as many coefficients as points (each point has leverage 1)')
  else if (r2 !== null && looRmse >= meanLooRmse) {
    warnings.push(`the ${f.kind} surface predicts left-out cells no better than their mean (leave-one-out RMSE ${looRmse.toPrecision(3)} ≥ ${meanLooRmse.toPrecision(3)}); treat its optimum with caution`)
  }

  const rxy = correlation(points)
  if (Math.abs(rxy) > COLLINEAR_R) {
    warnings.push(`x and y are nearly collinear over the sampled points (r = ${rxy.toFixed(3)}): the surface is determined only along the line they follow, so its optimum and curvature are unreliable`)
  }
  const hull = convexHull(points)
  const best = optimumOver(f, hull, direction)
  if (best.where !== 'interior' && r2 !== null) warnings.push(`the predicted optimum lies on the boundary of the sampled region (${best.where}); the surface may keep improving outside it`)
  let zLo = Infinity
  let zHi = -Infinity
  for (const p of points) {
    zLo = Math.min(zLo, p.z)
    zHi = Math.max(zHi, p.z)
  }
  if (best.predicted > zHi + (zHi - zLo) * 0.25 || best.predicted < zLo - (zHi - zLo) * 0.25) {
    warnings.push(`the predicted optimum ${best.predicted.toPrecision(4)} lies well outside the observed values (${zLo}–${zHi}); it is an extrapolation of the surface`)
  }

  let interval: SurfaceOptimum['interval'] = null
  if (resamples > 0) {
    const rnd = mulberry32(seed)
    const xs: number[] = []
    const ys: number[] = []
    const zs: number[] = []
    let skipped = 0
    const sample: SurfacePoint[] = new Array<SurfacePoint>(n)
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < n; i++) sample[i] = points[Math.floor(rnd() * n)]!
      const g = fitRaw(sample, f.kind)
      if (!g) {
        skipped++
        continue
      }
      const o = optimumOver(g, hull, direction)
      xs.push(o.x)
      ys.push(o.y)
      zs.push(o.predicted)
    }
    if (xs.length >= 2) {
      const lo = (1 - level) / 2
      const hi = 1 - lo
      interval = {
        x: [quantile(xs, lo), quantile(xs, hi)],
        y: [quantile(ys, lo), quantile(ys, hi)],
        predicted: [quantile(zs, lo), quantile(zs, hi)],
        level,
        resamples,
        skipped,
        seed,
      }
    }
    if (skipped > resamples / 10) warnings.push(`${skipped} of ${resamples} bootstrap resamples had too few distinct points to fit and were skipped`)
  }

  return {
    kind: f.kind,
    coefficients: unscale(f),
    n,
    r2,
    rmse: Math.sqrt(ssRes / n),
    looRmse,
    meanLooRmse,
    optimum: { ...best, interval },
    region: { kind: 'convex-hull', vertices: hull },
    warnings,
  }
}

/** Value of a fitted surface at (x, y), in the data's units. */
export function predictSurface(c: SurfaceCoefficients, x: number, y: number): number {
  return c.b0 + c.b1 * x + c.b2 * y + c.b3 * x * x + c.b4 * x * y + c.b5 * y * y
}

/**
 * The surface on a lattice for the heatmap overlay: values[j][i] at (xs[i], ys[j]); null outside the
 * sampled region so the chart does not show extrapolation as if it were data.
 */
export function surfaceOnGrid(fit: SurfaceFit, xs: readonly number[], ys: readonly number[]): (number | null)[][] {
  return ys.map((y) => xs.map((x) => (insideHull(fit.region.vertices, { x, y }) ? predictSurface(fit.coefficients, x, y) : null)))
}

/**
 * The fitted surface sampled on an even lattice over the sampled region (steps+1 values per axis
 * across the bounding box, points outside the convex hull dropped), in the `{x, y, value}` form the
 * mixture-grid chart draws as its surface panel.
 */
export function surfaceSamples(fit: SurfaceFit, steps = 30): { x: number; y: number; value: number }[] {
  const v = fit.region.vertices
  const x0 = Math.min(...v.map((p) => p.x))
  const x1 = Math.max(...v.map((p) => p.x))
  const y0 = Math.min(...v.map((p) => p.y))
  const y1 = Math.max(...v.map((p) => p.y))
  const out: { x: number; y: number; value: number }[] = []
  for (let j = 0; j <= steps; j++) {
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps
      const y = y0 + ((y1 - y0) * j) / steps
      if (insideHull(v, { x, y })) out.push({ x, y, value: predictSurface(fit.coefficients, x, y) })
    }
  }
  return out
}
