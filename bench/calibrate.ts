/**
 * Calibration benchmark: the aggregation-aware permutation null of a whole layer search at N = 1024
 * with 33 x 25 layers (the paper's setting: Gröger, Wen, Brbić, arXiv:2602.14486, who report 52 ms
 * per layer pair for mutual k-NN and 20 ms for linear CKA at K = 200 on a GTX 1080 Ti, i.e. 43 s and
 * 16.5 s for 825 pairs). Calibrated `mutual_knn` with K = 500 and calibrated linear `cka` with K = 200,
 * each timed as the layer search (preparation, neighbour lists / Grams) and the null (K relabelled
 * tables) separately. `--quick` runs N = 256, 9 x 7 layers, K = 50.
 */
import type { Tensor3 } from '../src-main/common/matrix'
import { align } from '../src-main/core/align/align'
import { chooseBackend } from '../src-main/core/align/chooseBackend'

export interface BenchCalibrateOptions {
  quick?: boolean
  log: (line: string) => void
  /** Override the item count, layer counts, width and permutations. */
  n?: number
  layersA?: number
  layersB?: number
  dim?: number
  kKnn?: number
  kCka?: number
}

/** Layered features with a shared low-rank part so the scores are neither 0 nor 1; uniform noise (fast to draw). */
function features(n: number, layers: number, dim: number, seed: number, shared: Float32Array): Tensor3 {
  const data = new Float32Array(n * layers * dim)
  let s = seed * 2654435761 + 1
  const next = (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2147483648 - 1
  }
  for (let i = 0; i < n; i++) for (let l = 0; l < layers; l++) for (let c = 0; c < dim; c++) data[(i * layers + l) * dim + c] = next() + shared[i * 8 + ((c + l) % 8)]!
  return { data, n, layers, dim }
}

export async function benchCalibrate(o: BenchCalibrateOptions): Promise<void> {
  const n = o.n ?? (o.quick ? 256 : 1024)
  const la = o.layersA ?? (o.quick ? 9 : 33)
  const lb = o.layersB ?? (o.quick ? 7 : 25)
  const dim = o.dim ?? (o.quick ? 64 : 256)
  const shared = Float32Array.from({ length: n * 8 }, (_, t) => Math.sin(t * 12.9898) * 0.8)
  const A = features(n, la, dim, 1, shared)
  const B = features(n, lb, dim, 2, shared)
  const { backend, note } = await chooseBackend('auto')
  if (note) o.log(note)
  o.log(`N = ${n}, ${la} x ${lb} layers (${la * lb} pairs), D = ${dim}, backend ${backend.ep}`)
  try {
    for (const [metric, K] of [['mutual_knn', o.kKnn ?? (o.quick ? 50 : 500)], ['cka', o.kCka ?? (o.quick ? 50 : 200)]] as const) {
      const t0 = performance.now()
      const c0 = process.cpuUsage()
      let tNull = 0
      let cNull: NodeJS.CpuUsage | null = null
      const r = await align(A, B, {
        metrics: [metric],
        prep: 'clamp-exact',
        calibrate: K,
        backend,
        onProgress: (_f, msg) => {
          if (!tNull && msg.startsWith('calibration')) {
            tNull = performance.now()
            cNull = process.cpuUsage(c0)
          }
        },
      })
      const total = (performance.now() - t0) / 1000
      const search = ((tNull || performance.now()) - t0) / 1000
      const cpu = (u: NodeJS.CpuUsage | null): number => (u ? (u.user + u.system) / 1e6 : 0)
      const cpuTotal = cpu(process.cpuUsage(c0))
      const cpuSearch = cpu(cNull)
      const c = r.metrics[metric]!.calibration!
      // CPU time (all threads) is reported beside wall time: on a shared machine wall time mostly measures the neighbours.
      o.log(
        `calibrated ${metric.padEnd(10)} K = ${String(K).padStart(3)}: layer search ${search.toFixed(1)} s wall / ${cpuSearch.toFixed(1)} s CPU, ` +
          `null ${(total - search).toFixed(1)} s wall / ${(cpuTotal - cpuSearch).toFixed(1)} s CPU ` +
          `(${(((total - search) * 1000) / K / (la * lb)).toFixed(3)} ms wall per layer pair per permutation), total ${total.toFixed(1)} s wall; ` +
          `raw ${r.metrics[metric]!.score.toFixed(4)}, tau ${c.threshold.toFixed(4)}, p ${c.p_value.toPrecision(3)}, s_cal ${c.score.toFixed(4)}`,
      )
    }
  } finally {
    await backend.dispose?.()
  }
}
