import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Mat } from '../../../../src-main/common/matrix'
import { isAppError } from '../../../../src-main/common/errors'
import { createOrtBackend } from '../../../../src-main/core/onnx/kernels'
import { centredTransposed } from '../../../../src-main/core/onnx/kernels/features'
import { gramBlocked } from '../../../../src-main/core/onnx/kernels/gram'
import { linearHsicBlocked } from '../../../../src-main/core/onnx/kernels/hsic'
import { knnBlocked, type TopkMode } from '../../../../src-main/core/onnx/kernels/knn'
import { KernelSessions } from '../../../../src-main/core/onnx/kernels/sessions'
import { innerProductsBlocked } from '../../../../src-main/core/onnx/kernels/innerProducts'
import { innerProductsF64 } from '../../../../src-main/core/align/innerProducts'
import { dot, gaussian, refGram, refHsic, refKnn, smallInts } from './reference'

let sessions: KernelSessions
beforeAll(async () => {
  sessions = await KernelSessions.create('cpu', 2)
})
afterAll(async () => {
  await sessions.dispose()
})

/** Block layouts: one block; N not a multiple of the block with square chunks; chunks wider than the block. */
const LAYOUTS = [
  { name: 'one block', blockRows: 2048 },
  { name: 'blocks of 7, square chunks', blockRows: 7, chunkFloats: 1 },
  { name: 'blocks of 5, chunks of 12 columns', blockRows: 5, chunkFloats: 60 },
]
const MODES: TopkMode[] = ['ts', 'graph']

/**
 * Neighbour lists must equal the float64 reference, except where float32 rounding swaps a near-tie:
 * wherever the lists differ, the float64 scores at that rank must agree within 1e-5 relative.
 */
function expectSameNeighbours(F: Mat, k: number, got: Int32Array, want: Int32Array): void {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < F.rows; i++) {
    const row = Array.from(got.subarray(i * k, (i + 1) * k))
    expect(new Set(row).size).toBe(k)
    expect(row).not.toContain(i)
    for (let t = 0; t < k; t++) {
      const g = row[t]!
      const w = want[i * k + t]!
      if (g === w) continue
      const sg = dot(F, i, g)
      const sw = dot(F, i, w)
      const scale = Math.sqrt(dot(F, i, i) * Math.max(dot(F, g, g), dot(F, w, w)))
      expect(Math.abs(sg - sw), `row ${i} rank ${t}: ${g} vs ${w}`).toBeLessThanOrEqual(1e-5 * scale)
    }
  }
}

describe('knnBlocked', () => {
  for (const topk of MODES) {
    for (const layout of LAYOUTS) {
      describe(`${topk} top-k, ${layout.name}`, () => {
        const opts = { ...layout, topk }
        it('matches the float64 reference on Gaussian data (N=37, D=9, k=5)', async () => {
          const F = gaussian(37, 9, 1)
          expectSameNeighbours(F, 5, await knnBlocked(sessions, F, 5, opts), refKnn(F, 5))
        })

        it('is exact, ties by ascending index, on small-integer data with many ties (N=31, D=3)', async () => {
          const F = smallInts(31, 3, 2, 2)
          for (const k of [1, 4, 30]) expect(Array.from(await knnBlocked(sessions, F, k, opts))).toEqual(Array.from(refKnn(F, k)))
        })

        it('orders constant rows by index and duplicated rows by index', async () => {
          const C: Mat = { data: new Float32Array(13 * 4).fill(0.5), rows: 13, cols: 4 }
          expect(Array.from(await knnBlocked(sessions, C, 12, opts))).toEqual(Array.from(refKnn(C, 12)))
          const base = gaussian(6, 5, 3)
          const dup = new Float32Array(18 * 5)
          for (let i = 0; i < 18; i++) dup.set(base.data.subarray((i % 6) * 5, (i % 6) * 5 + 5), i * 5)
          const D: Mat = { data: dup, rows: 18, cols: 5 }
          expect(Array.from(await knnBlocked(sessions, D, 6, opts))).toEqual(Array.from(refKnn(D, 6)))
        })

        it('handles D = 1, k = N - 1 and N = 2', async () => {
          const F = gaussian(17, 1, 4)
          expectSameNeighbours(F, 16, await knnBlocked(sessions, F, 16, opts), refKnn(F, 16))
          const two = gaussian(2, 3, 5)
          expect(Array.from(await knnBlocked(sessions, two, 1, opts))).toEqual([1, 0])
        })
      })
    }
  }

  it('accepts float64 input and gives the same lists as float32 input', async () => {
    const F = gaussian(29, 6, 6, false)
    const F32: Mat = { data: Float32Array.from(F.data), rows: 29, cols: 6 }
    expect(Array.from(await knnBlocked(sessions, F, 3, { blockRows: 8 }))).toEqual(Array.from(await knnBlocked(sessions, F32, 3, { blockRows: 8 })))
  })

  it('agrees with the reference at a size with many blocks (N=300, D=64, k=10)', async () => {
    const F = gaussian(300, 64, 7)
    const want = refKnn(F, 10)
    expectSameNeighbours(F, 10, await knnBlocked(sessions, F, 10, { blockRows: 64, chunkFloats: 64 * 100 }), want)
    expectSameNeighbours(F, 10, await knnBlocked(sessions, F, 10, { blockRows: 64, topk: 'graph' }), want)
  })
})

describe('gramBlocked', () => {
  for (const layout of LAYOUTS) {
    it(`matches F F^T in float64 and is exactly symmetric (${layout.name})`, async () => {
      const F = gaussian(33, 11, 8)
      const got = await gramBlocked(sessions, F, layout)
      const want = refGram(F)
      const n = F.rows
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const tol = 1e-6 * Math.sqrt(want[i * n + i]! * want[j * n + j]!)
          expect(Math.abs(got[i * n + j]! - want[i * n + j]!)).toBeLessThanOrEqual(tol)
          expect(got[i * n + j]).toBe(got[j * n + i])
        }
      }
    })
  }
})

describe('centredTransposed', () => {
  it('is the float64-centred transpose, rounded once, across tile edges, and refuses NaN naming the row', () => {
    const F = gaussian(300, 261, 21)
    for (let t = 0; t < F.data.length; t++) F.data[t]! += 100 + (t % 5)
    const got = centredTransposed(F)
    for (let c = 0; c < F.cols; c++) {
      let m = 0
      for (let i = 0; i < F.rows; i++) m += F.data[i * F.cols + c]!
      m /= F.rows
      for (let i = 0; i < F.rows; i++) expect(got[c * F.rows + i]).toBe(Math.fround(F.data[i * F.cols + c]! - m))
    }
    F.data[7 * F.cols + 3] = NaN
    expect(() => centredTransposed(F, 'A.npy')).toThrow(/A\.npy: row 7 contains NaN or infinite values/)
  })
})

describe('linearHsicBlocked', () => {
  const cases = [
    { name: 'feature space, column blocks of 3', opts: { space: 'feature' as const, blockCols: 3 } },
    { name: 'feature space, one block', opts: { space: 'feature' as const } },
    { name: 'sample space, blocks of 6', opts: { space: 'sample' as const, blockRows: 6, chunkFloats: 6 * 10 } },
    { name: 'sample space, one block', opts: { space: 'sample' as const } },
  ]
  for (const c of cases) {
    it(`matches the centred float64 definition (${c.name})`, async () => {
      // A column offset checks that centring happens; D_A != D_B checks the cross term's shape.
      const A = gaussian(41, 7, 9)
      for (let t = 0; t < A.data.length; t++) A.data[t]! += 3 + (t % 7)
      const B = gaussian(41, 4, 10)
      const got = await linearHsicBlocked(sessions, A, B, c.opts)
      const want = refHsic(A, B)
      for (const key of ['ab', 'aa', 'bb'] as const) expect(Math.abs(got[key] - want[key]) / want[key]).toBeLessThan(1e-5)
    })
  }

  it('gives linear CKA 1 for an orthogonally rotated, scaled copy and handles D = 1', async () => {
    const A = gaussian(20, 2, 11)
    const B: Mat = { data: new Float32Array(40), rows: 20, cols: 2 }
    for (let i = 0; i < 20; i++) {
      B.data[2 * i] = 3 * (0.6 * A.data[2 * i]! - 0.8 * A.data[2 * i + 1]!)
      B.data[2 * i + 1] = 3 * (0.8 * A.data[2 * i]! + 0.6 * A.data[2 * i + 1]!)
    }
    for (const space of ['feature', 'sample'] as const) {
      const h = await linearHsicBlocked(sessions, A, B, { space })
      expect(h.ab / Math.sqrt(h.aa * h.bb)).toBeCloseTo(1, 5)
    }
    const x = gaussian(15, 1, 12)
    const y = gaussian(15, 1, 13)
    const h = await linearHsicBlocked(sessions, x, y, { space: 'feature' })
    const want = refHsic(x, y)
    expect(Math.abs(h.ab - want.ab) / want.ab).toBeLessThan(1e-5)
  })
})

describe('createOrtBackend', () => {
  it('runs the three kernels on CPU and reports the provider', async () => {
    const be = await createOrtBackend({ ep: 'cpu', blockRows: 8 })
    try {
      expect(be.ep).toBe('cpu')
      const F = smallInts(25, 4, 3, 14)
      expect(Array.from(await be.knn(F, 3))).toEqual(Array.from(refKnn(F, 3)))
      expect(Array.from(await be.gram(F))).toEqual(Array.from(refGram(F)))
      const h = await be.linearHsic(F, gaussian(25, 3, 15))
      expect(h.ab).toBeGreaterThan(0)
    } finally {
      await be.dispose?.()
    }
  })

  it('rejects bad input with BAD_INPUT errors that name the problem', async () => {
    const F = gaussian(10, 3, 16)
    const code = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      )
      expect(isAppError(e) && e.code === 'BAD_INPUT', String(e)).toBe(true)
      expect((e as Error).message).toMatch(re)
    }
    await code(knnBlocked(sessions, F, 0), /^k: .*1 to N-1 = 9/)
    await code(knnBlocked(sessions, F, 10), /N-1 = 9, got 10/)
    await code(knnBlocked(sessions, F, 2.5), /got 2.5/)
    const bad = gaussian(10, 3, 17)
    bad.data[14] = NaN
    await code(knnBlocked(sessions, bad, 2), /row 4 contains NaN or infinite/)
    const huge = gaussian(10, 3, 18)
    huge.data[0] = 1e30
    await code(gramBlocked(sessions, huge), /row 0 has norm 1.00e\+30, too large/)
    await code(linearHsicBlocked(sessions, F, gaussian(9, 3, 19)), /A has 10 rows but B has 9/)
    await code(knnBlocked(sessions, { data: new Float32Array(5), rows: 2, cols: 3 }, 1), /data length 5 does not match 2 x 3/)
  })

  it('stops with CANCELLED when the signal is aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    const e = await knnBlocked(sessions, gaussian(20, 3, 20), 2, { blockRows: 4, signal: ac.signal }).catch((x: unknown) => x)
    expect(isAppError(e) && e.code).toBe('CANCELLED')
  })
})

describe('innerProductsBlocked (float64 Gemm)', () => {
  it('equals the float64 sums X Yᵀ, in one call and in column chunks, and the TypeScript fallback', async () => {
    const X = gaussian(3, 37, 71, false).data as Float64Array
    const Y = gaussian(4, 37, 72, false).data as Float64Array
    const want = new Float64Array(12)
    for (let a = 0; a < 3; a++) for (let b = 0; b < 4; b++) for (let t = 0; t < 37; t++) want[a * 4 + b]! += X[a * 37 + t]! * Y[b * 37 + t]!
    for (const chunk of [1 << 20, 10, 37]) {
      const S = await innerProductsBlocked(sessions, X, 3, Y, 4, 37, undefined, chunk)
      S.forEach((v, t) => expect(v).toBeCloseTo(want[t]!, 12))
    }
    innerProductsF64(X, 3, Y, 4, 37).forEach((v, t) => expect(v).toBeCloseTo(want[t]!, 12))
  })
})
