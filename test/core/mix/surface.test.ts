import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { mat } from '../../../src-main/common/matrix'
import { gridHeatmap } from '../../../src-main/core/mix/grid'
import { leastSquaresQR } from '../../../src-main/core/mix/leastSquares'
import { readMixtureTable } from '../../../src-main/core/mix/readTable'
import { convexHull, insideHull } from '../../../src-main/core/mix/region'
import { fitQuadraticSurface, predictSurface, surfaceOnGrid, surfaceSamples, type SurfacePoint } from '../../../src-main/core/mix/surface'
import { FIXTURES, PAPER_TABLES } from '../../helpers/fixtures'

// numpy.linalg.lstsq reference, made by test/fixtures/mix/make_reference.py
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'mix', 'reference.json'), 'utf8')) as {
  grid: { coefficients: number[]; r2: number; rmse: number; loo_rmse: number; mean_loo_rmse: number; stationary_point: [number, number]; stationary_value: number }
}

async function paperGrid(): Promise<SurfacePoint[]> {
  const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv'))
  return t.rows.map((r) => ({ x: r.reasoning_pct as number, y: r.visual_pct as number, z: r.avg_vqa as number }))
}

describe('paper grid (Table 1)', () => {
  it('best observed cell is 60 / 15 → 32.7 and 18 of the 8 × 6 cells are missing', async () => {
    const h = gridHeatmap(await paperGrid())
    expect(h.best).toEqual({ x: 60, y: 15, value: 32.7 })
    expect(h.xs).toEqual([50, 55, 60, 65, 70, 75, 80, 85])
    expect(h.ys).toEqual([5, 10, 15, 20, 25, 30])
    expect(h.missing).toBe(18)
    expect(h.values[3]![0]).toBeNull() // 50 / 20 was not run
    expect(h.values[2]![2]).toBe(32.7)
  })

  it('quadratic fit matches numpy.linalg.lstsq, R², LOO by refits and the stationary point', async () => {
    const f = fitQuadraticSurface(await paperGrid())
    expect(f.kind).toBe('quadratic')
    const c = f.coefficients
    const got = [c.b0, c.b1, c.b2, c.b3, c.b4, c.b5]
    got.forEach((v, i) => expect(v).toBeCloseTo(ref.grid.coefficients[i]!, 9))
    expect(f.r2!).toBeCloseTo(ref.grid.r2, 12)
    expect(f.rmse).toBeCloseTo(ref.grid.rmse, 12)
    expect(f.looRmse!).toBeCloseTo(ref.grid.loo_rmse, 10)
    expect(f.meanLooRmse).toBeCloseTo(ref.grid.mean_loo_rmse, 12)
    // The stationary point (66.1, 16.4) is a maximum inside the hull, so it is the optimum.
    expect(f.optimum.where).toBe('interior')
    expect(f.optimum.x).toBeCloseTo(ref.grid.stationary_point[0], 6)
    expect(f.optimum.y).toBeCloseTo(ref.grid.stationary_point[1], 6)
    expect(f.optimum.predicted).toBeCloseTo(ref.grid.stationary_value, 9)
    expect(f.warnings).toEqual([])
    expect(f.region.vertices).toEqual([
      { x: 50, y: 5 },
      { x: 85, y: 5 },
      { x: 85, y: 15 },
      { x: 65, y: 30 },
      { x: 60, y: 30 },
      { x: 50, y: 15 },
    ])
  })

  it('bootstrap interval is seeded, covers the optimum and stays in the sampled region', async () => {
    const pts = await paperGrid()
    const a = fitQuadraticSurface(pts, { resamples: 100, seed: 7 })
    const b = fitQuadraticSurface(pts, { resamples: 100, seed: 7 })
    const c = fitQuadraticSurface(pts, { resamples: 100, seed: 8 })
    expect(a.optimum.interval).toEqual(b.optimum.interval)
    expect(a.optimum.interval).not.toEqual(c.optimum.interval)
    const iv = a.optimum.interval!
    expect(iv.x[0]).toBeLessThanOrEqual(a.optimum.x)
    expect(iv.x[1]).toBeGreaterThanOrEqual(a.optimum.x)
    expect(iv.x[0]).toBeGreaterThanOrEqual(50)
    expect(iv.y[1]).toBeLessThanOrEqual(30)
    expect(fitQuadraticSurface(pts, { resamples: 0 }).optimum.interval).toBeNull()
  })
})

describe('fitQuadraticSurface invariants and edge cases', () => {
  const lattice = (f: (x: number, y: number) => number): SurfacePoint[] => {
    const pts: SurfacePoint[] = []
    for (const x of [10, 20, 30, 40]) for (const y of [0, 5, 10, 15]) pts.push({ x, y, z: f(x, y) })
    return pts
  }

  it('recovers an exact quadratic (R² = 1) and its interior maximum', () => {
    // z = 50 − (x − 25)²/10 − (y − 7)²/4 + 0.01 (x − 25)(y − 7), maximum at (25, 7).
    const truth = (x: number, y: number): number => 50 - (x - 25) ** 2 / 10 - (y - 7) ** 2 / 4 + 0.01 * (x - 25) * (y - 7)
    const f = fitQuadraticSurface(lattice(truth), { resamples: 0 })
    expect(f.r2).toBeCloseTo(1, 12)
    expect(predictSurface(f.coefficients, 13, 3)).toBeCloseTo(truth(13, 3), 9)
    expect(f.optimum.x).toBeCloseTo(25, 8)
    expect(f.optimum.y).toBeCloseTo(7, 8)
    expect(f.optimum.where).toBe('interior')
  })

  it('keeps the optimum inside the sampled region when the surface peaks outside it', () => {
    // Peak at (60, 7), outside x ∈ [10, 40]: the best point in the hull is on the x = 40 edge.
    const f = fitQuadraticSurface(lattice((x, y) => -((x - 60) ** 2) - (y - 7) ** 2), { resamples: 0 })
    expect(f.optimum.x).toBeCloseTo(40, 9)
    expect(f.optimum.y).toBeCloseTo(7, 9)
    expect(f.optimum.where).toBe('edge')
    expect(f.warnings.some((w) => /boundary of the sampled region/.test(w))).toBe(true)
    const low = fitQuadraticSurface(lattice((x, y) => (x - 25) ** 2 + (y - 7) ** 2 + 1), { direction: 'lower', resamples: 0 })
    expect(low.optimum.x).toBeCloseTo(25, 8)
    expect(low.optimum.predicted).toBeCloseTo(1, 8)
  })

  it('is unaffected by shifting the axes far from zero (centring and scaling)', () => {
    const base = lattice((x, y) => 3 + 0.2 * x - 0.01 * x * x + 0.05 * x * y - 0.3 * y * y)
    const shifted = base.map((p) => ({ x: p.x + 1e4, y: p.y + 1e4, z: p.z }))
    const a = fitQuadraticSurface(base, { resamples: 0 })
    const b = fitQuadraticSurface(shifted, { resamples: 0 })
    expect(b.r2).toBeCloseTo(a.r2!, 9)
    expect(b.optimum.x - 1e4).toBeCloseTo(a.optimum.x, 5)
    expect(predictSurface(b.coefficients, 1e4 + 17, 1e4 + 3)).toBeCloseTo(predictSurface(a.coefficients, 17, 3), 4)
  })

  it('falls back to a plane when an axis has only two levels, and warns', () => {
    const pts = [10, 20, 30].flatMap((x) => [0, 5].map((y) => ({ x, y, z: x + y })))
    const f = fitQuadraticSurface(pts, { resamples: 0 })
    expect(f.kind).toBe('linear')
    expect(f.coefficients.b1).toBeCloseTo(1, 12)
    expect(f.coefficients.b3).toBe(0)
    expect(f.warnings[0]).toMatch(/fitted a plane instead/)
  })

  it('warns when the fit does not beat the mean, and when the target is constant', () => {
    // Noise only: a deterministic pseudo-random z on the lattice.
    let s = 12345
    const noise = lattice(() => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31))
    const f = fitQuadraticSurface(noise, { resamples: 0 })
    expect(f.looRmse!).toBeGreaterThanOrEqual(f.meanLooRmse)
    expect(f.warnings.some((w) => /no better than their mean/.test(w))).toBe(true)
    const flat = fitQuadraticSurface(lattice(() => 3), { resamples: 0 })
    expect(flat.r2).toBeNull()
    expect(flat.warnings.some((w) => /constant/.test(w))).toBe(true)
  })

  it('rejects too few or collinear points and non-finite values', () => {
    expect(() => fitQuadraticSurface([{ x: 1, y: 1, z: 1 }, { x: 2, y: 2, z: 2 }])).toThrow(/needs at least 3 points/)
    expect(() => fitQuadraticSurface([1, 2, 3, 4].map((x) => ({ x, y: 2 * x, z: x })))).toThrow(/do not lie on one line/)
    expect(() => fitQuadraticSurface([{ x: 1, y: NaN, z: 1 }])).toThrow(/point 1 is not finite/)
  })

  it('surfaceOnGrid and surfaceSamples stay inside the convex hull', async () => {
    const f = fitQuadraticSurface(await paperGrid(), { resamples: 0 })
    const g = surfaceOnGrid(f, [50, 75, 85], [5, 30])
    expect(g[0]![0]).toBeCloseTo(predictSurface(f.coefficients, 50, 5), 12)
    expect(g[1]![0]).toBeNull() // 50 / 30 lies outside the sampled region
    const s = surfaceSamples(f, 10)
    expect(s.length).toBeGreaterThan(40)
    for (const p of s) expect(insideHull(f.region.vertices, p)).toBe(true)
  })
})

describe('leastSquaresQR and convexHull', () => {
  it('solves an overdetermined system like the normal equations and reports leverages summing to p', () => {
    const a = mat(5, 2, Float64Array.from([1, 1, 1, 2, 1, 3, 1, 4, 1, 5]))
    const ls = leastSquaresQR(a, [2.1, 3.9, 6.2, 7.8, 10.1])
    // Closed form for a line: slope = Sxy/Sxx = 19.9/10, intercept = ȳ − slope·x̄.
    expect(ls.coef[1]).toBeCloseTo(1.99, 12)
    expect(ls.coef[0]).toBeCloseTo(6.02 - 1.99 * 3, 12)
    expect(ls.leverage.reduce((s, h) => s + h, 0)).toBeCloseTo(2, 12)
    expect(leastSquaresQR(mat(3, 2, Float64Array.from([1, 2, 1, 2, 1, 2])), [1, 2, 3]).fullRank).toBe(false)
  })
  it('builds a counter-clockwise hull without interior or collinear points', () => {
    const h = convexHull([
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 2 },
      { x: 1, y: 1 },
      { x: 0, y: 2 },
    ])
    expect(h).toEqual([
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 2 },
      { x: 0, y: 2 },
    ])
    expect(insideHull(h, { x: 2, y: 1 })).toBe(true)
    expect(insideHull(h, { x: 2.01, y: 1 })).toBe(false)
  })
})
