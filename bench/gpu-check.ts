/**
 * GPU check: which execution providers work here, and what they give for the two heavy paths —
 * the alignment kernels (k-NN over a Gram matrix) and model inference (vit-tiny, gpt-tiny) — against
 * the CPU on the same machine, with agreement of the results. Run on a GPU workstation:
 * `npx tsx bench/gpu-check.ts [--ep webgpu|cuda] [--out FILE.json]`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { gpuStatus } from '../src-main/core/gpu/status'
import { createOrtBackend } from '../src-main/core/onnx/kernels/index'
import { createSession, type EpChoice } from '../src-main/core/onnx/ep'

const args = process.argv.slice(2)
const arg = (name: string, def?: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : def)
const models = arg('--models', path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'resources', 'demo', 'models'))!
const out = arg('--out')
const wanted = (arg('--ep') ?? 'webgpu,cuda').split(',') as EpChoice[]
const report: Record<string, unknown> = { host: `${os.cpus()[0]?.model} x${os.cpus().length}`, ort: ort.env.versions.node }
const log = (s: string) => console.log(s)

function rand(n: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    a[i] = ((x >>> 0) / 2 ** 32) * 2 - 1
  }
  return a
}

async function knnTiming(ep: EpChoice, N: number, D: number, k: number): Promise<{ ep: string; seconds: number; gflops: number; knn: Int32Array } | { ep: string; error: string }> {
  try {
    const be = await createOrtBackend({ ep })
    const F = { data: rand(N * D, 7), rows: N, cols: D }
    await be.knn({ data: rand(256 * D, 3), rows: 256, cols: D }, k) // warm-up (graph compile, allocations)
    const t0 = performance.now()
    const knn = await be.knn(F, k)
    const s = (performance.now() - t0) / 1000
    await be.dispose?.()
    return { ep: be.ep, seconds: s, gflops: (2 * N * N * D) / s / 1e9, knn }
  } catch (e) {
    return { ep, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) }
  }
}

async function inference(ep: EpChoice, model: string, feeds: Record<string, ort.Tensor>, batch: number): Promise<{ ep: string; itemsPerSecond: number; outputs: Record<string, Float32Array> } | { ep: string; error: string }> {
  try {
    const { session, ep: used } = await createSession(model, ep)
    await session.run(feeds)
    const reps = 5
    const t0 = performance.now()
    let r: ort.InferenceSession.OnnxValueMapType = {}
    for (let i = 0; i < reps; i++) r = await session.run(feeds)
    const s = (performance.now() - t0) / 1000
    const outputs: Record<string, Float32Array> = {}
    for (const [k, v] of Object.entries(r)) if (k.startsWith('hidden_states')) outputs[k] = (v as ort.Tensor).data as Float32Array
    await session.release()
    return { ep: used, itemsPerSecond: (reps * batch) / s, outputs }
  } catch (e) {
    return { ep, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) }
  }
}

function maxAbsDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let m = 0
  for (const k of Object.keys(a)) {
    const x = a[k]!
    const y = b[k]
    if (!y) continue
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!))
  }
  return m
}

const status = await gpuStatus()
report.status = status
log(`providers: ${status.providers.map((p) => `${p.ep}=${p.usable ? 'usable' : 'no'}${p.reason ? ` (${p.reason.slice(0, 160)})` : ''}`).join('; ')}`)

const sizes: [number, number][] = args.includes('--quick') ? [[512, 64]] : [[4096, 768], [16384, 4096]]
const knnRows: unknown[] = []
for (const [N, D] of sizes) {
  const cpu = await knnTiming('cpu', N, D, 10)
  for (const ep of wanted) {
    const g = await knnTiming(ep, N, D, 10)
    let agree: number | null = null
    if ('knn' in g && 'knn' in cpu) {
      let same = 0
      for (let i = 0; i < N; i++) {
        const a = new Set(cpu.knn.subarray(i * 10, i * 10 + 10))
        for (let j = 0; j < 10; j++) if (a.has(g.knn[i * 10 + j]!)) same++
      }
      agree = same / (N * 10)
    }
    const row = { N, D, cpu: 'seconds' in cpu ? { s: cpu.seconds, gflops: cpu.gflops } : cpu, gpu: 'seconds' in g ? { ep: g.ep, s: g.seconds, gflops: g.gflops } : g, neighbourAgreement: agree }
    knnRows.push(row)
    log(`knn N=${N} D=${D}: ${JSON.stringify(row)}`)
  }
}
report.knn = knnRows

const batch = 256
const vitFeeds = { pixel_values: new ort.Tensor('float32', rand(batch * 3 * 32 * 32, 11), [batch, 3, 32, 32]) }
const ids = new BigInt64Array(batch * 32)
for (let i = 0; i < ids.length; i++) ids[i] = BigInt(4 + ((i * 2654435761) % 390))
const gptFeeds = { input_ids: new ort.Tensor('int64', ids, [batch, 32]), attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * 32).fill(1n), [batch, 32]) }
const infRows: unknown[] = []
for (const [name, feeds] of [['vit-tiny', vitFeeds], ['gpt-tiny', gptFeeds]] as const) {
  const file = path.join(models, name, 'onnx', 'model.onnx')
  const cpu = await inference('cpu', file, feeds, batch)
  for (const ep of wanted) {
    const g = await inference(ep, file, feeds, batch)
    const row = {
      model: name,
      batch,
      cpu: 'itemsPerSecond' in cpu ? cpu.itemsPerSecond : cpu,
      gpu: 'itemsPerSecond' in g ? { ep: g.ep, itemsPerSecond: g.itemsPerSecond } : g,
      maxAbsDiffHiddenStates: 'outputs' in g && 'outputs' in cpu ? maxAbsDiff(cpu.outputs, g.outputs) : null,
    }
    infRows.push(row)
    log(`inference ${name}: ${JSON.stringify(row)}`)
  }
}
report.inference = infRows
if (out) fs.writeFileSync(out, JSON.stringify(report, null, 2))
