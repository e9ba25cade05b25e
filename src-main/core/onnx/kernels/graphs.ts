import { BOOL, DOUBLE, FLOAT, INT64, buildModel, type NodeSpec } from './graphBuilder'

/**
 * The kernel graphs. Every dimension is symbolic, so one session per graph serves all block sizes.
 * Inputs are float32; accumulation beyond one GEMM (sums of squares, merges) happens in float64 in
 * TypeScript.
 */
export type GraphKind = 'gemmNT' | 'gemmTN' | 'gemmNTTopk' | 'gemmNTTopkDiag' | 'gemmNT64'

/** S = X Y^T for X [m, d], Y [n, d]: one block of a Gram matrix. */
function gemmNT(): Uint8Array {
  return buildModel({
    name: 'gemm_nt',
    inputs: [
      { name: 'X', type: FLOAT, shape: ['m', 'd'] },
      { name: 'Y', type: FLOAT, shape: ['n', 'd'] },
    ],
    outputs: [{ name: 'S', type: FLOAT, shape: ['m', 'n'] }],
    nodes: [{ op: 'Gemm', inputs: ['X', 'Y'], outputs: ['S'], attrs: { transB: 1 } }],
  })
}

/** S = X Y^T in float64 for X [m, d], Y [n, d]: all inner products of long rows (calibration nulls). */
function gemmNT64(): Uint8Array {
  return buildModel({
    name: 'gemm_nt_f64',
    inputs: [
      { name: 'X', type: DOUBLE, shape: ['m', 'd'] },
      { name: 'Y', type: DOUBLE, shape: ['n', 'd'] },
    ],
    outputs: [{ name: 'S', type: DOUBLE, shape: ['m', 'n'] }],
    nodes: [{ op: 'Gemm', inputs: ['X', 'Y'], outputs: ['S'], attrs: { transB: 1 } }],
  })
}

/** G = X^T Y for X [n, a], Y [n, b]: one block of a feature-space cross-covariance. */
function gemmTN(): Uint8Array {
  return buildModel({
    name: 'gemm_tn',
    inputs: [
      { name: 'X', type: FLOAT, shape: ['n', 'a'] },
      { name: 'Y', type: FLOAT, shape: ['n', 'b'] },
    ],
    outputs: [{ name: 'G', type: FLOAT, shape: ['a', 'b'] }],
    nodes: [{ op: 'Gemm', inputs: ['X', 'Y'], outputs: ['G'], attrs: { transA: 1 } }],
  })
}

/**
 * S = X Y^T followed by TopK along rows (top `kRow` of each row) and along columns (top `kCol` of
 * each column), so only O(k (m + n)) values leave the runtime. With `diag`, Y starts at the same row
 * as X, so S[r, r] is an item against itself: it is set to -inf before TopK (self-exclusion).
 */
function gemmNTTopk(diag: boolean): Uint8Array {
  const nodes: NodeSpec[] = [{ op: 'Gemm', inputs: ['X', 'Y'], outputs: [diag ? 'S0' : 'S'], attrs: { transB: 1 } }]
  if (diag) {
    nodes.push(
      // CPU EyeLike has no bool kernel: build it in float and cast.
      { op: 'EyeLike', inputs: ['S0'], outputs: ['eyeF'] },
      { op: 'Cast', inputs: ['eyeF'], outputs: ['eye'], attrs: { to: BOOL } },
      { op: 'Where', inputs: ['eye', 'neg_inf', 'S0'], outputs: ['S'] },
    )
  }
  nodes.push(
    { op: 'TopK', inputs: ['S', 'kRow'], outputs: ['rowVals', 'rowIdx'], attrs: { axis: 1, largest: 1, sorted: 1 } },
    { op: 'TopK', inputs: ['S', 'kCol'], outputs: ['colVals', 'colIdx'], attrs: { axis: 0, largest: 1, sorted: 1 } },
  )
  return buildModel({
    name: diag ? 'gemm_nt_topk_diag' : 'gemm_nt_topk',
    inputs: [
      { name: 'X', type: FLOAT, shape: ['m', 'd'] },
      { name: 'Y', type: FLOAT, shape: ['n', 'd'] },
      { name: 'kRow', type: INT64, shape: [1] },
      { name: 'kCol', type: INT64, shape: [1] },
    ],
    outputs: [
      { name: 'rowVals', type: FLOAT, shape: ['m', 'kr'] },
      { name: 'rowIdx', type: INT64, shape: ['m', 'kr'] },
      { name: 'colVals', type: FLOAT, shape: ['kc', 'n'] },
      { name: 'colIdx', type: INT64, shape: ['kc', 'n'] },
    ],
    nodes,
    consts: diag ? [{ name: 'neg_inf', type: FLOAT, dims: [], values: [-Infinity] }] : [],
  })
}

export function graphBytes(kind: GraphKind): Uint8Array {
  switch (kind) {
    case 'gemmNT':
      return gemmNT()
    case 'gemmTN':
      return gemmTN()
    case 'gemmNT64':
      return gemmNT64()
    case 'gemmNTTopk':
      return gemmNTTopk(false)
    case 'gemmNTTopkDiag':
      return gemmNTTopk(true)
  }
}
