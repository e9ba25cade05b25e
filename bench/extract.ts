import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fork } from 'node:child_process'
import { extractFeatures } from '../src-main/core/features/extract'
import type { ExtractResult } from '../src-main/common/contract/features'
import { addDataset } from '../src-main/core/registry/datasets'
import { addModel } from '../src-main/core/registry/models'
import type { FromJobHost, ToJobHost } from '../src-main/jobs/protocol'
import type { EpChoice } from '../src-main/core/onnx/ep'
import { Workspace } from '../src-main/core/store/workspace'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const MODELS = path.join(ROOT, 'resources', 'demo', 'models')
const SHAPES = path.join(ROOT, 'resources', 'demo', 'datasets', 'shapes-256')

/**
 * shapes-256 repeated `times` over (copies of the 256 images, unique ids), so the pipeline runs long
 * enough for its steady state to show; 256 items are only 8 batches, where starting and ending the
 * pipeline (the first decode and the last write are never overlapped) weighs like a quarter of the loop.
 */
function repeatedShapes(dir: string, times: number): string {
  const out = path.join(dir, `shapes-x${times}`)
  if (fs.existsSync(out)) return out
  fs.mkdirSync(path.join(out, 'images'), { recursive: true })
  for (const f of fs.readdirSync(path.join(SHAPES, 'images'))) fs.copyFileSync(path.join(SHAPES, 'images', f), path.join(out, 'images', f))
  const lines = fs.readFileSync(path.join(SHAPES, 'captions.jsonl'), 'utf8').trim().split('\n')
  const rows: string[] = []
  for (let r = 0; r < times; r++) for (const l of lines) {
    const o = JSON.parse(l) as { id: string; image: string; caption: string }
    rows.push(JSON.stringify({ id: `${o.id}-${r}`, image: o.image, caption: o.caption }))
  }
  fs.writeFileSync(path.join(out, 'captions.jsonl'), rows.join('\n') + '\n')
  return out
}

/**
 * Extraction throughput at batch 32 (CPU unless `ep` says otherwise) for the demo models over
 * shapes-256 repeated to 4,096 items: items/s and the share of wall time spent outside session.run
 * (decode, preprocess, tokenise, pool, cache writes). Each run uses a fresh workspace so nothing is a
 * cache hit; the first (warm-up) pass is not reported. The share is taken over the batch loop and
 * counts only the time spent awaiting session.run (onnxruntime-node runs it on the JS thread, so
 * pooling and cache writes on that thread add to it rather than overlap it); one-time setup
 * (inspecting the graph, hashing, creating the session, starting the worker) is reported apart. Each
 * model runs twice: batches prepared in the worker thread (the default) and inline. The worker is
 * awaited before the loop (its start-up counts as setup), so the loop shows the steady state; the run
 * through the built job host shows what the app gets, start-up included.
 */
function newestMtime(dir: string): number {
  let t = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs)
  }
  return t
}

/** One extraction in this process, in a fresh workspace; with the worker, awaited before the loop. */
async function inProcess(dir: string, model: string, dataset: string, ep: EpChoice, prepWorker: boolean): Promise<ExtractResult> {
  const ws = Workspace.open(dir)
  try {
    return await extractFeatures(ws, { modelPath: path.join(MODELS, model), datasetPath: dataset, batch: 32, ep, prepWorker, prepWorkerWait: prepWorker })
  } finally {
    ws.close()
  }
}

/**
 * One extraction job in a forked, bundled job host, as the app starts it (defaults: the worker starts
 * in the background, and a batch needed before it has taken it is prepared on the main thread).
 */
async function viaJobHost(hostBundle: string, dir: string, model: string, dataset: string, ep: EpChoice): Promise<ExtractResult> {
  const ws = Workspace.open(dir)
  let params: Record<string, unknown>
  try {
    params = { modelId: (await addModel(ws, path.join(MODELS, model))).id, datasetId: addDataset(ws, dataset).id, batch: 32, ep, layers: 'hidden' }
  } finally {
    ws.close()
  }
  const child = fork(hostBundle, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  try {
    return await new Promise<ExtractResult>((resolve, reject) => {
      child.on('message', (m: FromJobHost) => {
        if (m.type === 'done') resolve(m.result as ExtractResult)
        else if (m.type === 'failed') reject(new Error(m.error.message))
        else if (m.type === 'cancelled') reject(new Error('cancelled'))
      })
      child.on('exit', (code) => reject(new Error(`job host exited with code ${code}`)))
      const start: ToJobHost = { type: 'start', jobId: 'bench', kind: 'extract', params, dataDir: dir }
      child.send(start)
    })
  } finally {
    child.kill()
  }
}

export async function benchExtract(opts: { quick?: boolean; log: (line: string) => void; ep?: EpChoice }): Promise<{ model: string; prep: string; itemsPerSecond: number; overheadShare: number }[]> {
  const reps = opts.quick ? 1 : 3
  const results: { model: string; prep: string; itemsPerSecond: number; overheadShare: number }[] = []
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-extract-'))
  const times = opts.quick ? 1 : 16
  const ep = opts.ep ?? 'cpu'
  const hostBundle = path.join(ROOT, 'out', 'main', 'jobhost.js')
  try {
    const dataset = repeatedShapes(tmp, times)
    const variants: { label: string; prepWorker: boolean; run: (dir: string, model: string, prepWorker: boolean) => Promise<ExtractResult> }[] = [
      { label: '', prepWorker: true, run: (dir, model, prepWorker) => inProcess(dir, model, dataset, ep, prepWorker) },
      { label: '', prepWorker: false, run: (dir, model, prepWorker) => inProcess(dir, model, dataset, ep, prepWorker) },
    ]
    // What the desktop app runs: the electron-vite bundle of the job host, one process per extraction.
    const stale = fs.existsSync(hostBundle) && newestMtime(path.join(ROOT, 'src-main')) > fs.statSync(hostBundle).mtimeMs
    if (stale) opts.log('(the built job host is older than src-main: run `npm run build` to include it)')
    else if (fs.existsSync(hostBundle)) variants.push({ label: ' via the built job host (as the app runs it)', prepWorker: true, run: (dir, model) => viaJobHost(hostBundle, dir, model, dataset, ep) })
    for (const model of ['vit-tiny', 'gpt-tiny']) for (const v of variants) {
      let total = 0
      let prep = ''
      let epRan = ''
      let loop = 0
      let setup = 0
      let run = 0
      let n = 0
      for (let rep = 0; rep <= reps; rep++) {
        const r = await v.run(path.join(tmp, `${model}-${v.label ? 'host' : v.prepWorker}-${rep}`), model, v.prepWorker)
        epRan = r.ep
        prep = `${r.preparation.mode} preparation, ${r.preparation.threads ?? 'default'} session threads${r.preparation.note ? ` (${r.preparation.note})` : ''}`
        if (rep === 0) continue
        total += r.timing.total_s
        loop += r.timing.loop_s
        setup += r.timing.setup_s
        run += r.timing.session_run_s
        n += r.n
      }
      const res = { model, prep: prep + v.label, itemsPerSecond: n / loop, overheadShare: Math.max(0, 1 - run / loop) }
      results.push(res)
      opts.log(
        `extract ${model} ${epRan} batch 32${v.label}, ${prep}: ${res.itemsPerSecond.toFixed(0)} items/s in the batch loop (${(n / total).toFixed(0)} items/s end to end), ` +
          `${(res.overheadShare * 100).toFixed(1)}% of the loop outside session.run, setup ${((setup / reps) * 1000).toFixed(0)} ms per run (${reps} x ${256 * times} items)`,
      )
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  return results
}
