import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import type { PmiOptions, KernelDistance } from '../../common/contract/colour'

export type { PmiOptions, KernelDistance } from '../../common/contract/colour'

/**
 * Pointwise mutual information kernel of a symmetric co-occurrence count matrix C (n × n):
 * P_ab = (C_ab + α) / (Σ C + α n²), P_a = Σ_b P_ab, K_ab = log(P_ab / (P_a P_b)) (natural log),
 * optionally clipped at 0 (PPMI). This is K_PMI of the PRH paper (Huh et al. 2024, §4–5), up to its
 * additive constant, which the kernel distance below cancels. The smoothing keeps never-seen pairs finite.
 */
export function pmiKernel(counts: Mat, opts: PmiOptions = {}): Mat {
  const n = counts.rows
  if (counts.cols !== n || n < 1) throw badInput('co-occurrence counts', `must be a non-empty square matrix, got ${counts.rows}x${counts.cols}`)
  const alpha = opts.alpha ?? 1
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw badInput('PMI smoothing', `alpha must be a positive number, got ${alpha}`)
  let total = 0
  for (let i = 0; i < n * n; i++) {
    const c = counts.data[i]!
    if (!(c >= 0) || !Number.isFinite(c)) throw badInput('co-occurrence counts', `entry ${i} is ${c}; expected a finite non-negative count`)
    total += c
  }
  const z = total + alpha * n * n
  const marg = new Float64Array(n)
  for (let a = 0; a < n; a++) {
    let s = 0
    for (let b = 0; b < n; b++) s += counts.data[a * n + b]! + alpha
    marg[a] = s / z
  }
  const k = new Float64Array(n * n)
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const pab = (counts.data[a * n + b]! + alpha) / z
      const v = Math.log(pab / (marg[a]! * marg[b]!))
      k[a * n + b] = opts.positive ? Math.max(0, v) : v
    }
  }
  return { data: k, rows: n, cols: n }
}

/** Distances (n × n, symmetric, zero diagonal) from a symmetric similarity kernel; see `KernelDistance`. */
export function pmiToDistances(kernel: Mat, method: KernelDistance = 'kernel'): Mat {
  const n = kernel.rows
  if (kernel.cols !== n) throw badInput('kernel', `must be square, got ${kernel.rows}x${kernel.cols}`)
  const kd = kernel.data
  const sym = (a: number, b: number): number => 0.5 * (kd[a * n + b]! + kd[b * n + a]!)
  const out = new Float64Array(n * n)
  if (method === 'kernel') {
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) out[a * n + b] = out[b * n + a] = Math.sqrt(Math.max(0, kd[a * n + a]! + kd[b * n + b]! - 2 * sym(a, b)))
    }
  } else if (method === 'shift') {
    let max = -Infinity
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) max = Math.max(max, sym(a, b))
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) out[a * n + b] = out[b * n + a] = max - sym(a, b)
  } else {
    throw badInput('kernel distance', `unknown method "${String(method)}"; expected "kernel" or "shift"`)
  }
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(out[i]!)) throw badInput('kernel', 'contains non-finite values; distances are undefined')
  }
  return { data: out, rows: n, cols: n }
}

/** The sub-matrix of a square matrix on the given row/column indices (in that order). */
export function subMatrix(m: Mat, idx: readonly number[]): Mat {
  const n = m.cols
  const k = idx.length
  const out = new Float64Array(k * k)
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = m.data[idx[i]! * n + idx[j]!]!
  return { data: out, rows: k, cols: k }
}
