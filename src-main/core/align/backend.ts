import type { Mat } from '../../common/matrix'

/**
 * The heavy linear algebra behind the alignment metrics, behind one interface so that the same
 * metric code and the same tests run on the float64 TypeScript reference and on the ONNX Runtime
 * kernels (see STYLE.md, "the same test suite run against every backend").
 */
export interface KernelBackend {
  /** Execution provider that ran the kernels ('reference' for the TypeScript implementation). */
  readonly ep: string
  /**
   * For each row i, the k rows j != i with the largest inner product F_i . F_j, nearest first;
   * equal scores are ordered by ascending j. Returns an Int32Array of length rows * k.
   * Source: `compute_nearest_neighbors` in the official PRH code (Gram, diagonal filled with -1e8, argsort).
   */
  knn(F: Mat, k: number, signal?: AbortSignal): Promise<Int32Array>
  /** The Gram matrix F F^T, N x N row-major, float64 values. Only for N whose N^2 fits in memory. */
  gram(F: Mat, signal?: AbortSignal): Promise<Float64Array>
  /**
   * Linear HSIC terms from column-centred features, computed in feature space:
   * tr(K H L H) = ||Ac^T Bc||_F^2 with Ac = H A, Bc = H B (K = A A^T, L = B B^T).
   * Returns ab = ||Ac^T Bc||_F^2, aa = ||Ac^T Ac||_F^2, bb = ||Bc^T Bc||_F^2.
   */
  linearHsic(A: Mat, B: Mat, signal?: AbortSignal): Promise<{ ab: number; aa: number; bb: number }>
  /**
   * S = X Yᵀ in float64 for X [m, d] and Y [n, d] row-major: all m x n inner products of long rows
   * at once (the calibration null of Gram metrics, one GEMM per permutation). Optional: callers
   * fall back to `innerProductsF64`.
   */
  innerProducts?(X: Float64Array, m: number, Y: Float64Array, n: number, d: number, signal?: AbortSignal): Promise<Float64Array>
  /** Frees native resources. */
  dispose?(): Promise<void>
}
