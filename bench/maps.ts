/**
 * Maps benchmark: item-map (UMAP) time with the exact k-NN graph from the alignment kernels handed to
 * umap-js (setPrecomputedKNN) against umap-js's own neighbour search (random projection trees +
 * NN-descent), on synthetic clustered features (D = 768); and the time to first paint of a 20,000-point
 * ECharts scatter (large mode, canvas renderer) in Debian's Chromium.
 * Run: `npx tsx bench/maps.ts [--quick] [--cap 180] [--sizes 2000,20000]`.
 *
 * umap-js's own search runs in a worker thread so it can be stopped: past the cap its search time is
 * extrapolated from smaller sizes by a power law t = a·N^b fitted to two measured sizes, and its
 * layout time is taken from the precomputed run at the same size (the layout code after the graph is
 * the same). Extrapolated figures are marked as such. Timings on a shared machine are noisy.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Mat } from '../src-main/common/matrix'
import type { KernelBackend } from '../src-main/core/align/backend'
import { chooseBackend } from '../src-main/core/align/chooseBackend'
import { mulberry32 } from '../src-main/common/random'
import { itemMap } from '../src-main/core/maps/umap'
import { findChromium } from '../src-main/core/report/findChromium'

export interface BenchMapsOptions {
  quick?: boolean
  log: (line: string) => void
  /** Item counts (default 2,000 and 20,000; quick: 1,000). */
  sizes?: number[]
  /** Feature dimension (default 768; quick: 256). */
  dim?: number
  /** Seconds umap-js's own run may take per size before it is stopped and extrapolated (default 180; quick 60). */
  capSeconds?: number
  /** Points in the paint benchmark (default 20,000; quick 5,000). */
  paintPoints?: number
}

const fmt = (x: number, d = 2): string => x.toFixed(d)

/** `clusters` Gaussian blobs: centres N(0, 1)^D, unit-scale noise 0.6; float32 like real features. */
function clusteredFeatures(n: number, dim: number, clusters: number, seed: number): Mat {
  const rng = mulberry32(seed)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  const centres = new Float32Array(clusters * dim)
  for (let t = 0; t < centres.length; t++) centres[t] = gauss()
  const data = new Float32Array(n * dim)
  for (let i = 0; i < n; i++) {
    const c = i % clusters
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c * dim + d]! + 0.6 * gauss()
  }
  return { data, rows: n, cols: dim }
}

interface OwnRun {
  searchS: number | null
  graphS: number | null
  layoutS: number | null
  capped: boolean
}

/**
 * umap-js end to end with its own neighbour search, in a worker so the cap can stop it. The worker is
 * plain CommonJS (umap-js is CommonJS) and times search (its private nearestNeighbors), graph and layout.
 */
async function umapJsOwn(F: Mat, seed: number, capSeconds: number): Promise<OwnRun> {
  const umapPath = createRequire(import.meta.url).resolve('umap-js')
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { UMAP } = require(workerData.umapPath)
    const { data, rows, cols, seed } = workerData
    let a = seed >>> 0
    const random = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296 }
    const X = []
    for (let i = 0; i < rows; i++) {
      const r = Array.from(data.subarray(i * cols, (i + 1) * cols))
      let s = 0; for (const v of r) s += v * v
      const inv = 1 / Math.max(Math.sqrt(s), 1e-12)
      X.push(r.map((v) => v * inv))
    }
    const dist = (x, y) => { if (x === y) return 0; let s = 0; for (let c = 0; c < x.length; c++) s += x[c] * y[c]; return Math.max(0, 1 - s) }
    const umap = new UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, random, distanceFn: dist })
    let t0 = performance.now()
    const nn = umap.nearestNeighbors(X)
    parentPort.postMessage({ phase: 'search', s: (performance.now() - t0) / 1000 })
    umap.setPrecomputedKNN(nn.knnIndices, nn.knnDistances)
    t0 = performance.now()
    const epochs = umap.initializeFit(X)
    parentPort.postMessage({ phase: 'graph', s: (performance.now() - t0) / 1000 })
    t0 = performance.now()
    for (let e = 0; e < epochs; e++) umap.step()
    parentPort.postMessage({ phase: 'layout', s: (performance.now() - t0) / 1000 })
  `
  const run: OwnRun = { searchS: null, graphS: null, layoutS: null, capped: false }
  const worker = new Worker(code, { eval: true, workerData: { umapPath, data: F.data, rows: F.rows, cols: F.cols, seed } })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      run.capped = true
      void worker.terminate().then(() => resolve())
    }, capSeconds * 1000)
    worker.on('message', (m: { phase: 'search' | 'graph' | 'layout'; s: number }) => {
      if (m.phase === 'search') run.searchS = m.s
      if (m.phase === 'graph') run.graphS = m.s
      if (m.phase === 'layout') {
        run.layoutS = m.s
        clearTimeout(timer)
        void worker.terminate().then(() => resolve())
      }
    })
    worker.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
  return run
}

/** Power-law extrapolation t(N) = t1·(N/N1)^b with b from two measured points (b ≥ 1 assumed at least). */
function extrapolate(points: { n: number; s: number }[], n: number): { s: number; exponent: number } | null {
  if (points.length === 0) return null
  const sorted = [...points].sort((p, q) => p.n - q.n)
  const hi = sorted[sorted.length - 1]!
  let b = 1
  if (sorted.length >= 2) {
    const lo = sorted[sorted.length - 2]!
    b = Math.max(1, Math.log(hi.s / lo.s) / Math.log(hi.n / lo.n))
  }
  return { s: hi.s * (n / hi.n) ** b, exponent: b }
}

/** Runs in the page: draws an n-point clustered scatter and times setOption → 'finished' → next frame. */
const PAINT_SCRIPT = `async (n) => {
  let s = 12345
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
  const data = new Float32Array(2 * n)
  for (let i = 0; i < n; i++) {
    const c = i % 20
    data[2 * i] = (c % 5) * 10 + 3 * (rnd() + rnd() - 1)
    data[2 * i + 1] = Math.floor(c / 5) * 10 + 3 * (rnd() + rnd() - 1)
  }
  const chart = echarts.init(document.getElementById('c'), null, { renderer: 'canvas' })
  const t0 = performance.now()
  const finished = new Promise((resolve) => chart.on('finished', () => resolve(performance.now() - t0)))
  chart.setOption({
    animation: false,
    xAxis: { type: 'value', scale: true },
    yAxis: { type: 'value', scale: true },
    series: [{ type: 'scatter', large: true, largeThreshold: 2000, symbolSize: 3, data, dimensions: ['x', 'y'] }],
  })
  const finishedMs = await finished
  const paintMs = await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0))))
  chart.dispose()
  return { finishedMs, paintMs }
}`

/** Time from setOption to ECharts' 'finished' event and to the next animation frame (first paint) in Chromium. */
async function firstPaint(points: number, log: (line: string) => void): Promise<void> {
  const exe = findChromium()
  if (!exe) {
    log('  first paint: skipped (no Chromium found; install Debian `chromium` or set the path findChromium reads)')
    return
  }
  const { chromium } = await import('playwright-core')
  const echartsPath = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js')
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="c" style="width:1200px;height:800px"></div></body></html>')
    await page.addScriptTag({ path: echartsPath })
    const runs: { finishedMs: number; paintMs: number }[] = []
    for (let r = 0; r < 3; r++) {
      runs.push(
        // A string, not a function: tsx's helpers (__name) do not exist inside the page.
        (await page.evaluate(`(${PAINT_SCRIPT})(${points})`)) as { finishedMs: number; paintMs: number },
      )
    }
    const warm = runs.slice(1).reduce((a, b) => (b.paintMs < a.paintMs ? b : a))
    log(`  first paint of a ${points.toLocaleString('en')}-point scatter (ECharts large mode, canvas, headless Chromium, no GPU):`)
    log(`    cold (first chart on the page): setOption -> 'finished' ${fmt(runs[0]!.finishedMs, 0)} ms, -> next frame ${fmt(runs[0]!.paintMs, 0)} ms`)
    log(`    warm (best of 2 more): setOption -> 'finished' ${fmt(warm.finishedMs, 0)} ms, -> next frame ${fmt(warm.paintMs, 0)} ms`)
  } finally {
    await browser.close()
  }
}

export async function benchMaps(opts: BenchMapsOptions): Promise<void> {
  const { log } = opts
  const quick = opts.quick ?? false
  const sizes = opts.sizes ?? (quick ? [1000] : [2000, 20000])
  const dim = opts.dim ?? (quick ? 256 : 768)
  const cap = opts.capSeconds ?? (quick ? 60 : 180)
  const seed = 7
  const { backend, note } = await chooseBackend('auto')
  log(`maps benchmark: item map (UMAP, nNeighbors 15, minDist 0.1, default epochs) on ${dim}-D clustered features; k-NN backend ${backend.ep}${note ? ` (${note})` : ''}`)
  log(`  own-search runs are stopped after ${cap} s and extrapolated; the machine may be shared, so timings are noisy`)
  const ownSearch: { n: number; s: number }[] = []
  try {
    for (const n of sizes) {
      const F = clusteredFeatures(n, dim, 20, seed + n)
      const pre = await precomputed(F, backend, seed)
      log(`  N = ${n.toLocaleString('en')}: precomputed k-NN ${fmt(pre.knnS)} s + UMAP ${fmt(pre.umapS)} s (graph ${fmt(pre.graphS)} s, ${pre.epochs} epochs ${fmt(pre.layoutS)} s) = ${fmt(pre.knnS + pre.umapS)} s`)
      const own = await umapJsOwn(F, seed, cap)
      if (own.searchS !== null) ownSearch.push({ n, s: own.searchS })
      if (!own.capped && own.searchS !== null && own.graphS !== null && own.layoutS !== null) {
        const total = own.searchS + own.graphS + own.layoutS
        log(`             umap-js own search ${fmt(own.searchS)} s + UMAP ${fmt(own.graphS + own.layoutS)} s (graph ${fmt(own.graphS)} s, epochs ${fmt(own.layoutS)} s) = ${fmt(total)} s  (precomputed is ${fmt(total / (pre.knnS + pre.umapS), 1)}x faster)`)
      } else {
        const search = own.searchS !== null ? { s: own.searchS, exponent: NaN } : extrapolate(ownSearch, n)
        if (!search) {
          log(`             umap-js own search: stopped after ${cap} s with no smaller size to extrapolate from`)
          continue
        }
        const total = search.s + pre.umapS
        const how = own.searchS !== null ? 'search measured' : `search extrapolated as N^${fmt(search.exponent)} from N = ${ownSearch.map((p) => p.n).join(', ')}`
        log(`             umap-js own: stopped after ${cap} s; estimated ${fmt(total)} s (${how}, layout taken from the precomputed run)  (precomputed ~${fmt(total / (pre.knnS + pre.umapS), 1)}x faster)`)
      }
    }
  } finally {
    await backend.dispose?.()
  }
  await firstPaint(opts.paintPoints ?? (quick ? 5000 : 20000), log)
}

async function precomputed(F: Mat, backend: KernelBackend, seed: number): Promise<{ knnS: number; umapS: number; graphS: number; layoutS: number; epochs: number }> {
  const map = await itemMap(F, { seed, backend })
  const { knnS, graphS, layoutS } = map.timings
  return { knnS, umapS: graphS + layoutS, graphS, layoutS, epochs: map.epochs }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  await benchMaps({
    quick: process.argv.includes('--quick'),
    sizes: arg('--sizes')?.split(',').map(Number),
    capSeconds: arg('--cap') ? Number(arg('--cap')) : undefined,
    log: (line) => console.log(line),
  })
}
