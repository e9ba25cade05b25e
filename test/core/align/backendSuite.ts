import { describe, expect, it } from 'vitest'
import type { KernelBackend } from '../../../src-main/core/align/backend'
import type { Mat } from '../../../src-main/common/matrix'
import { FullLayer } from '../../../src-main/core/align/layerView'
import { scorePair, METRIC_NAMES, ASYMMETRIC, type MetricName } from '../../../src-main/core/align/metrics'
import { gaussian, l2rows, matmul, randomRotation, scale } from './helpers'

/**
 * The backend-independent test suite: the KernelBackend contract against brute-force float64,
 * and the metric invariants run through that backend. The ONNX kernels engineer calls
 * `runBackendSuite('onnx', createOrtBackend)` to run the same checks on his backend;
 * `tol` loosens value comparisons for float32 kernels.
 */
export function runBackendSuite(name: string, makeBackend: () => Promise<KernelBackend> | KernelBackend, tol = { digits: 9, metricDigits: 6 }): void {
  describe(`KernelBackend ${name}`, () => {
    const score = async (backend: KernelBackend, m: MetricName, a: Mat, b: Mat, k = 5) =>
      (await scorePair(m, new FullLayer(a, 'A', backend), new FullLayer(b, 'B', backend), { k, rbfSigma: 1, backend })).score

    it('knn: top-k by inner product, self excluded, nearest first (brute force)', async () => {
      const backend = await makeBackend()
      const F = gaussian(37, 6, 1)
      const k = 7
      const got = await backend.knn(F, k)
      expect(got.length).toBe(37 * k)
      for (let i = 0; i < F.rows; i++) {
        const sims: { j: number; s: number }[] = []
        for (let j = 0; j < F.rows; j++) {
          if (j === i) continue
          let s = 0
          for (let c = 0; c < F.cols; c++) s += F.data[i * F.cols + c]! * F.data[j * F.cols + c]!
          sims.push({ j, s })
        }
        sims.sort((x, y) => y.s - x.s || x.j - y.j)
        expect(Array.from(got.subarray(i * k, (i + 1) * k))).toEqual(sims.slice(0, k).map((x) => x.j))
      }
      await backend.dispose?.()
    })

    it('knn: equal scores are ordered by ascending index (constant and duplicated rows)', async () => {
      const backend = await makeBackend()
      const constant: Mat = { data: new Float64Array(6 * 3).fill(0.5), rows: 6, cols: 3 }
      const got = await backend.knn(constant, 3)
      expect(Array.from(got)).toEqual([1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2, 0, 1, 2, 0, 1, 2])
      // rows 0 and 2 identical, row 1 orthogonal, row 3 the negative
      const dup: Mat = { data: Float64Array.from([1, 0, 0, 1, 1, 0, -1, 0]), rows: 4, cols: 2 }
      expect(Array.from(await backend.knn(dup, 2))).toEqual([2, 1, 0, 2, 0, 1, 1, 0])
      await backend.dispose?.()
    })

    it('gram equals F Fᵀ', async () => {
      const backend = await makeBackend()
      const F = gaussian(9, 4, 2)
      const G = await backend.gram(F)
      for (let i = 0; i < 9; i++)
        for (let j = 0; j < 9; j++) {
          let s = 0
          for (let c = 0; c < 4; c++) s += F.data[i * 4 + c]! * F.data[j * 4 + c]!
          expect(G[i * 9 + j]).toBeCloseTo(s, tol.digits - 3)
        }
      await backend.dispose?.()
    })

    it('linearHsic equals tr(K H L H) with explicit H', async () => {
      const backend = await makeBackend()
      const A = gaussian(11, 5, 3)
      const B = gaussian(11, 3, 4)
      const trace = (X: Mat, Y: Mat) => {
        const n = X.rows
        const K = matmul(X, { data: transpose(X), rows: X.cols, cols: n })
        const L = matmul(Y, { data: transpose(Y), rows: Y.cols, cols: n })
        const H: Mat = { data: new Float64Array(n * n).map((_, t) => (Math.floor(t / n) === t % n ? 1 : 0) - 1 / n), rows: n, cols: n }
        const M = matmul(matmul(matmul(K, H), L), H)
        let s = 0
        for (let i = 0; i < n; i++) s += M.data[i * n + i]!
        return s
      }
      const h = await backend.linearHsic(A, B)
      expect(h.ab / trace(A, B)).toBeCloseTo(1, tol.digits - 3)
      expect(h.aa / trace(A, A)).toBeCloseTo(1, tol.digits - 3)
      expect(h.bb / trace(B, B)).toBeCloseTo(1, tol.digits - 3)
      await backend.dispose?.()
    })

    it('a rotated copy (B = A·R) scores 1 on the kNN metrics, CKA variants, CKNNA and SVCCA', async () => {
      const backend = await makeBackend()
      const A = l2rows(gaussian(60, 8, 5))
      const B = matmul(A, randomRotation(8, 6))
      // The absolute 1e-6 in the CKA-type denominators keeps them a hair below 1: HSIC/(HSIC + 1e-6).
      for (const m of METRIC_NAMES) expect(await score(backend, m, A, B), m).toBeCloseTo(1, 4)
      expect(await score(backend, 'mutual_knn', A, B)).toBe(1)
      await backend.dispose?.()
    })

    it('independent Gaussians give mutual_knn near chance k/(N−1)', async () => {
      const backend = await makeBackend()
      const n = 300
      const k = 10
      const s = await score(backend, 'mutual_knn', l2rows(gaussian(n, 16, 7)), l2rows(gaussian(n, 16, 8)), k)
      // sd of the mean overlap is about sqrt(k/(N-1))/sqrt(N·k) ≈ 0.003
      expect(Math.abs(s - k / (n - 1))).toBeLessThan(0.012)
      await backend.dispose?.()
    })

    it('CKA (linear, unbiased) is invariant to isotropic scaling', async () => {
      const backend = await makeBackend()
      const A = gaussian(40, 6, 9)
      const B = gaussian(40, 5, 10)
      for (const m of ['cka', 'unbiased_cka'] as const) {
        const base = await score(backend, m, A, B)
        expect(await score(backend, m, A, scale(B, 7.5)), m).toBeCloseTo(base, tol.metricDigits)
      }
      await backend.dispose?.()
    })

    it('symmetric metrics are symmetric (cycle_knn and cknna are not)', async () => {
      const backend = await makeBackend()
      const A = l2rows(gaussian(45, 7, 11))
      const noise = gaussian(45, 7, 13).data
      const mixed = matmul(A, gaussian(7, 7, 12))
      const B = l2rows({ data: mixed.data.map((x, t) => x + 0.8 * noise[t]!), rows: 45, cols: 7 })
      for (const m of METRIC_NAMES) {
        if (ASYMMETRIC.has(m)) continue
        expect(await score(backend, m, A, B), m).toBeCloseTo(await score(backend, m, B, A), tol.metricDigits)
      }
      await backend.dispose?.()
    })
  })
}

function transpose(X: Mat): Float64Array {
  const out = new Float64Array(X.rows * X.cols)
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < X.cols; c++) out[c * X.rows + i] = X.data[i * X.cols + c]!
  return out
}
