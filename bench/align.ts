/**
 * Alignment kernel benchmark: mutual kNN and linear CKA on the ONNX Runtime backend at growing sizes,
 * the runtime's plain GEMM peak for comparison, and a layer sweep (neighbour lists once per layer vs
 * once per layer pair). Run: `npx tsx bench/align.ts [--quick] [--ep cpu|cuda|...] [--block 1024]`.
 * Timings on a shared machine are noisy; the figures are for comparing designs, not for CI.
 */
import fs from 'node:fs'
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import * as ort from 'onnxruntime-node'
import type { Mat } from '../src-main/common/matrix'
import type { EpChoice } from '../src-main/core/onnx/ep'
import { linearHsicBlocked } from '../src-main/core/onnx/kernels/hsic'
import { DEFAULT_BLOCK_ROWS } from '../src-main/core/onnx/kernels/blocks'
import { knnBlocked, type TopkMode } from '../src-main/core/onnx/kernels/knn'
import { KernelSessions } from '../src-main/core/onnx/kernels/sessions'

export interface BenchAlignOptions {
  quick?: boolean
  log: (line: string) => void
  ep?: EpChoice
  blockRows?: number
  /** Override the N and D grids (defaults: {1024, 4096, 16384} x {768, 4096}; quick: {256, 512} x {64, 256}). */
  sizes?: number[]
  dims?: number[]
  /** Skip the layer sweep. */
  noSweep?: boolean
  /** Intra-op threads (default: all cores). */
  threads?: number
}

/** Peak resident memory of this process in MB (VmHWM on Linux, current RSS elsewhere). */
function peakMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 2 ** 20
}

/** Uniform [-1, 1) features from a seeded xorshift; Gaussian generation would dominate at this size. */
function randomFeatures(rows: number, cols: number, seed: number): Mat {
  const data = new Float32Array(rows * cols)
  let s = seed * 2654435761 + 1
  for (let t = 0; t < data.length; t++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    data[t] = (s >>> 0) / 2147483648 - 1
  }
  return { data, rows, cols }
}

/** Mean fraction of shared neighbours (the mutual_knn score given two neighbour lists). */
export function knnOverlap(a: Int32Array, b: Int32Array, n: number, k: number): number {
  const mark = new Int32Array(n).fill(-1)
  let total = 0
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) mark[a[i * k + t]!] = i
    for (let t = 0; t < k; t++) if (mark[b[i * k + t]!] === i) total++
  }
  return total / (n * k)
}

async function seconds<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now()
  const v = await fn()
  return [(performance.now() - t0) / 1000, v]
}

const fmt = (x: number, d = 2): string => x.toFixed(d)

export async function benchAlign(opts: BenchAlignOptions): Promise<void> {
  const { log } = opts
  const quick = opts.quick ?? false
  const sessions = await KernelSessions.create(opts.ep ?? 'auto', opts.threads)
  const blockRows = opts.blockRows ?? DEFAULT_BLOCK_ROWS
  const k = 10
  try {
    log(`alignment kernels: ep=${sessions.ep}, intra-op threads=${sessions.threads}, cores=${os.availableParallelism()}, block rows=${blockRows}, onnxruntime-node ${ort.env.versions.common}`)

    // The runtime's own GEMM rate: the ceiling for the blocked kernels.
    const g = quick ? 512 : 4096
    const G = randomFeatures(g, g, 1)
    const gemm = await sessions.get('gemmNT')
    const feeds = { X: new ort.Tensor('float32', G.data, [g, g]), Y: new ort.Tensor('float32', G.data, [g, g]) }
    await gemm.run(feeds)
    let best = Infinity
    for (let r = 0; r < 3; r++) best = Math.min(best, (await seconds(() => gemm.run(feeds)))[0])
    const peak = (2 * g ** 3) / best / 1e9
    log(`GEMM peak: ${g}x${g}x${g} MatMul ${fmt(best, 3)} s = ${fmt(peak, 1)} GFLOP/s (best of 3)`)

    const sizes = opts.sizes ?? (quick ? [256, 512] : [1024, 4096, 16384])
    const dims = opts.dims ?? (quick ? [64, 256] : [768, 4096])
    log('')
    log('mutual_knn (k=10; two knn calls + overlap; effective GFLOP/s counts 2*N^2*D per Gram, two Grams):')
    log('linear CKA (space = feature when Da + Db <= N, else sample; effective GFLOP/s counts the unblocked')
    log('  products: feature 2*N*(Da*Db + Da^2 + Db^2), sample 2*N^2*(Da + Db)):')
    log('     N     D  knn:ts s  GFLOP/s  knn:graph s  GFLOP/s   CKA s  space   GFLOP/s  peak MB')
    for (const n of sizes) {
      for (const d of dims) {
        const A = randomFeatures(n, d, 2)
        const B = randomFeatures(n, d, 3)
        const knnFlops = 2 * 2 * n * n * d
        const row: string[] = [String(n).padStart(6), String(d).padStart(5)]
        for (const topk of ['ts', 'graph'] as TopkMode[]) {
          const [s] = await seconds(async () => {
            const a = await knnBlocked(sessions, A, k, { blockRows, topk })
            const b = await knnBlocked(sessions, B, k, { blockRows, topk })
            return knnOverlap(a, b, n, k)
          })
          row.push(fmt(s).padStart(topk === 'ts' ? 9 : 12), fmt(knnFlops / s / 1e9, 1).padStart(8))
        }
        const [s] = await seconds(async () => {
          const h = await linearHsicBlocked(sessions, A, B, { blockRows })
          return h.ab / Math.sqrt(h.aa * h.bb)
        })
        const feature = 2 * d <= n
        const ckaFlops = feature ? 2 * n * 3 * d * d : 2 * n * n * 2 * d
        row.push(fmt(s).padStart(7), (feature ? 'feature' : 'sample').padStart(7), fmt(ckaFlops / s / 1e9, 1).padStart(8), fmt(peakMb(), 0).padStart(8))
        log(row.join(' '))
      }
    }

    if (opts.noSweep) return
    // Layer sweep: every layer of model A against every layer of model B on the same N items.
    const n = quick ? 128 : 1024
    const [la, lb, da, db] = quick ? [5, 4, 256, 64] : [33, 25, 4096, 1024]
    log('')
    log(`layer sweep: N=${n}, ${la} x ${lb} layers, D=${da} / ${db}, k=${k}`)
    const layersA = Array.from({ length: la }, (_, l) => randomFeatures(n, da, 100 + l))
    const layersB = Array.from({ length: lb }, (_, l) => randomFeatures(n, db, 200 + l))
    const [once] = await seconds(async () => {
      const na: Int32Array[] = []
      const nb: Int32Array[] = []
      for (const L of layersA) na.push(await knnBlocked(sessions, L, k, { blockRows }))
      for (const L of layersB) nb.push(await knnBlocked(sessions, L, k, { blockRows }))
      let bestScore = -1
      for (const a of na) for (const b of nb) bestScore = Math.max(bestScore, knnOverlap(a, b, n, k))
      return bestScore
    })
    log(`  neighbour lists once per layer (${la + lb} knn calls) + ${la * lb} overlaps: ${fmt(once)} s`)
    const pairs = quick ? la * lb : 6
    const [few] = await seconds(async () => {
      for (let p = 0; p < pairs; p++) {
        const a = await knnBlocked(sessions, layersA[p % la]!, k, { blockRows })
        const b = await knnBlocked(sessions, layersB[Math.floor(p / la) % lb]!, k, { blockRows })
        knnOverlap(a, b, n, k)
      }
    })
    const perPair = few / pairs
    log(
      `  recomputing neighbours per pair: ${fmt(perPair, 3)} s per pair -> ${fmt(perPair * la * lb)} s for ${la * lb} pairs` +
        (pairs < la * lb ? ` (extrapolated from ${pairs} pairs)` : ''),
    )
    log(`  peak memory: ${fmt(peakMb(), 0)} MB`)
  } finally {
    await sessions.dispose()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  await benchAlign({
    quick: process.argv.includes('--quick'),
    ep: arg('--ep') as EpChoice | undefined,
    blockRows: arg('--block') ? Number(arg('--block')) : undefined,
    sizes: arg('--sizes')?.split(',').map(Number),
    dims: arg('--dims')?.split(',').map(Number),
    noSweep: process.argv.includes('--no-sweep'),
    threads: arg('--threads') ? Number(arg('--threads')) : undefined,
    log: (line) => console.log(line),
  })
}
