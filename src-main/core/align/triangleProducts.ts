/** S = X Yᵀ for X [m, d], Y [n, d] row-major, float64 (a backend's GEMM or the TypeScript loop). */
export type InnerProducts = (X: Float64Array, m: number, Y: Float64Array, n: number, d: number) => Promise<Float64Array>

/** Entries of the packed triangle per column chunk: B's gathered block of a batch stays in cache (8 perms x 25 layers = 13 MB). */
const CHUNK_ENTRIES = 8192

/** Permutations per GEMM: A's triangles are read once per batch instead of once per permutation. */
export const PERMUTATION_BATCH = 8

interface Chunk {
  /** Triangle rows [r0, r1) of this chunk. */
  r0: number
  r1: number
  /** Entries in the chunk (the GEMM's inner dimension). */
  w: number
  /** A's weighted triangle entries of these rows, [L_A, w] row-major. */
  X: Float64Array
}

/**
 * All layer-pair inner products of the relabelled kernels for a batch of permutations:
 *   S_ij(π) = Σ_{r ≤ s} X_i[r, s] · K_B,j[π_r, π_s]   (r < s when `strict`)
 * with X_i the packed upper triangle of A's layer i, already weighted by the caller (off-diagonal
 * entries doubled to stand for both halves of a symmetric kernel, the diagonal weighted as the metric
 * needs), and K_B,j B's full symmetric n × n kernel. The triangle is cut into chunks of whole rows;
 * for each chunk, B's entries of every permutation of the batch are gathered into one block
 * [P·L_B, w] (row π_r of K_B is copied once, then read at π_s, so the random reads hit a cached row)
 * and multiplied with A's block [L_A, w] in one GEMM whose partial sums accumulate in float64.
 * Compared with one GEMM per permutation over the whole triangle, A is read once per batch and B's
 * gathered entries never leave the cache.
 */
export class TriangleProducts {
  private readonly chunks: Chunk[] = []
  private readonly rowBuf: Float64Array
  private block = new Float64Array(0)

  /**
   * @param chunkEntries the largest chunk (a chunk holds at least one whole row)
   * @param rowA writes the weighted triangle row r of A's layer i (entries s = r.. or r+1.. n−1) into dest at off.
   */
  constructor(
    private readonly n: number,
    private readonly strict: boolean,
    private readonly la: number,
    private readonly kernB: Float64Array[],
    rowA: (i: number, r: number, dest: Float64Array, off: number) => void,
    private readonly gemm: InnerProducts,
    chunkEntries = CHUNK_ENTRIES,
  ) {
    this.rowBuf = new Float64Array(n)
    const rowLen = (r: number) => n - r - (strict ? 1 : 0)
    let r0 = 0
    while (r0 < n) {
      let r1 = r0
      let w = 0
      while (r1 < n && (w === 0 || w + rowLen(r1) <= chunkEntries)) w += rowLen(r1++)
      if (w > 0) {
        const X = new Float64Array(la * w)
        for (let i = 0; i < la; i++) {
          let off = i * w
          for (let r = r0; r < r1; r++) {
            rowA(i, r, X, off)
            off += rowLen(r)
          }
        }
        this.chunks.push({ r0, r1, w, X })
      }
      r0 = r1
    }
  }

  /** S per permutation, each [L_A, L_B] row-major. */
  async products(perms: Int32Array[]): Promise<Float64Array[]> {
    const { n, la, kernB } = this
    const lb = kernB.length
    const cols = perms.length * lb
    const S = new Float64Array(la * cols)
    const first = this.strict ? 1 : 0
    for (const ch of this.chunks) {
      if (this.block.length < cols * ch.w) this.block = new Float64Array(cols * ch.w)
      const Y = this.block
      for (const [p, perm] of perms.entries()) {
        for (let j = 0; j < lb; j++) {
          const K = kernB[j]!
          let q = (p * lb + j) * ch.w
          for (let r = ch.r0; r < ch.r1; r++) {
            const row = perm[r]! * n
            // One sequential copy of the row, then random reads that stay in cache.
            this.rowBuf.set(K.subarray(row, row + n))
            for (let s = r + first; s < n; s++) Y[q++] = this.rowBuf[perm[s]!]!
          }
        }
      }
      const part = await this.gemm(ch.X, la, Y.subarray(0, cols * ch.w), cols, ch.w)
      for (let t = 0; t < S.length; t++) S[t]! += part[t]!
    }
    return perms.map((_, p) => {
      const out = new Float64Array(la * lb)
      for (let i = 0; i < la; i++) out.set(S.subarray(i * cols + p * lb, i * cols + (p + 1) * lb), i * lb)
      return out
    })
  }
}
