import { describe, expect, it } from 'vitest'
import { procrustes } from '../../../src-main/core/maps/procrustes'
import { reference, toMat } from '../colour/reference'

function rotationZ(theta: number): number[] {
  const c = Math.cos(theta)
  const s = Math.sin(theta)
  return [c, -s, 0, s, c, 0, 0, 0, 1]
}

function matmul(x: { data: Float64Array; rows: number; cols: number }, r: number[], k: number): Float64Array {
  const out = new Float64Array(x.rows * k)
  for (let i = 0; i < x.rows; i++) for (let b = 0; b < k; b++) for (let a = 0; a < x.cols; a++) out[i * k + b]! += x.data[i * x.cols + a]! * r[a * k + b]!
  return out
}

const source = toMat([
  [0, 0, 0],
  [1, 0, 0],
  [0, 2, 0],
  [0, 0, 3],
  [1, 1, 1],
  [-2, 0.5, 1],
])

describe('procrustes', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const r = rotationZ(0.7)
    const moved = matmul(source, r, 3)
    const t = [5, -1, 2]
    const target = { data: moved.map((v, i) => 2.5 * v + t[i % 3]!), rows: 6, cols: 3 }
    const fit = procrustes(source, target)
    expect(fit.scale).toBeCloseTo(2.5, 10)
    for (let i = 0; i < 9; i++) expect(fit.rotation.data[i]).toBeCloseTo(r[i]!, 10)
    for (let b = 0; b < 3; b++) expect(fit.translation[b]).toBeCloseTo(t[b]!, 10)
    expect(fit.residual).toBeLessThan(1e-20)
    for (let i = 0; i < 18; i++) expect(fit.aligned.data[i]).toBeCloseTo(target.data[i]!, 10)
    expect(fit.reflected).toBe(false)
  })

  it('recovers a reflection when allowed, and finds the best proper rotation when not', () => {
    const mirror = [1, 0, 0, 0, 1, 0, 0, 0, -1]
    const target = { data: matmul(source, mirror, 3), rows: 6, cols: 3 }
    const fit = procrustes(source, target)
    expect(fit.reflected).toBe(true)
    expect(fit.residual).toBeLessThan(1e-20)
    const proper = procrustes(source, target, { allowReflection: false })
    expect(proper.reflected).toBe(false)
    expect(proper.residual).toBeGreaterThan(0.01)
    // det(R) = +1.
    const m = proper.rotation.data
    const det = m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
    expect(det).toBeCloseTo(1, 10)
  })

  it.each(reference.procrustes.map((c, i) => [i, c] as const))('matches scipy.spatial.procrustes disparity (case %i)', (_, c) => {
    const a = toMat(c.a)
    const b = toMat(c.b)
    expect(Math.abs(procrustes(b, a).residual - c.disparity)).toBeLessThan(1e-10)
    // The disparity is symmetric when reflections are allowed.
    expect(Math.abs(procrustes(a, b).residual - c.disparity)).toBeLessThan(1e-10)
  })

  it('handles a planar (rank-deficient) configuration', () => {
    const flat = toMat([
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
      [2, 0.5, 0],
    ])
    const target = { data: matmul(flat, rotationZ(1.1), 3), rows: 5, cols: 3 }
    const fit = procrustes(flat, target)
    expect(fit.residual).toBeLessThan(1e-20)
    for (const v of fit.rotation.data) expect(Number.isFinite(v)).toBe(true)
  })

  it('rejects mismatched shapes and degenerate configurations', () => {
    expect(() => procrustes(source, toMat([[1, 2, 3]]))).toThrow(/same shape/)
    const same = toMat([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ])
    expect(() => procrustes(same, source)).toThrow(/all points equal/)
  })
})
