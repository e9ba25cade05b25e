import { badInput, type AppError } from '../../common/errors'
import { mulberry32, permutation, subSeed } from '../../common/random'
import { parseNpyHeader, readNpyBytes } from '../data/npy'

/**
 * K permutations of 0..N−1 drawn uniformly and independently (Fisher–Yates from the seeded
 * generator; the identity is not excluded). Row k relabels B: B'[i] = B[P[k][i]].
 */
export function drawPermutations(k: number, n: number, seed: number): Int32Array[] {
  const rng = mulberry32(subSeed(seed, 'calibration'))
  return Array.from({ length: k }, () => permutation(rng, n))
}

/** Throws `fault(problem)` unless every row has length N and holds each of 0..N−1 once. */
export function checkPermutations(perms: Int32Array[], n: number, fault: (problem: string) => AppError): void {
  if (perms.length === 0) throw fault('needs at least one permutation')
  const seen = new Int32Array(n).fill(-1)
  perms.forEach((p, k) => {
    if (p.length !== n) throw fault(`row ${k} has ${p.length} entries but the inputs have N=${n} items`)
    for (let i = 0; i < n; i++) {
      const v = p[i]!
      if (!(v >= 0 && v < n) || seen[v] === k) throw fault(`row ${k} is not a permutation of 0..${n - 1} (entry ${i} is ${v})`)
      seen[v] = k
    }
  })
}

const INT_TYPES: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  i2: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  i4: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  u8: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
}

/**
 * A permutation file: a little-endian integer .npy array [K, N] whose row k is a permutation of
 * 0..N−1 meaning B'[i] = B[P[k, i]]. Anything else (float dtype, other shape, wrong N, a repeated
 * or out-of-range index) is a bad-input error naming the file.
 */
export function readPermutationFile(file: string, n: number): Int32Array[] {
  const buf = readNpyBytes(file)
  const { descr, shape, dataStart } = parseNpyHeader(buf, file)
  const m = /^([<|=])([iu][1248])$/.exec(descr)
  // '|' (no byte order) only makes sense for one-byte types
  const type = m && (m[1] !== '|' || m[2]!.endsWith('1')) ? INT_TYPES[m[2]!] : undefined
  if (!type) throw badInput(file, `expected a little-endian integer array (e.g. <i8), got ${descr}`)
  if (shape.length !== 2) throw badInput(file, `expected a 2-D [K, N] array of permutations, got shape (${shape.join(', ')})`)
  const [k, cols] = shape as [number, number]
  if (k === 0) throw badInput(file, 'holds no permutation (K = 0)')
  if (cols !== n) throw badInput(file, `rows have ${cols} entries but the inputs have N=${n} items`)
  const want = k * cols * type.bytes
  const have = buf.length - dataStart
  if (have !== want) throw badInput(file, `data is ${have} bytes but shape (${k}, ${cols}) of ${descr} needs ${want}`)
  const view = new DataView(buf.buffer, buf.byteOffset + dataStart, want)
  const perms = Array.from({ length: k }, (_, r) => {
    const p = new Int32Array(cols)
    for (let i = 0; i < cols; i++) {
      const v = type.read(view, (r * cols + i) * type.bytes)
      if (!(v >= 0 && v < cols)) throw badInput(file, `row ${r} is not a permutation of 0..${cols - 1} (entry ${i} is ${v})`)
      p[i] = v
    }
    return p
  })
  checkPermutations(perms, n, (problem) => badInput(file, problem))
  return perms
}
