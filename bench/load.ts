/**
 * Responsiveness under load (issue: reliability): runs an extraction and an alignment sweep as jobs
 * while a client keeps calling the API over the loopback HTTP transport, and reports the round-trip
 * latency percentiles. Heavy work runs in job-host processes, so the thread answering the API should
 * stay responsive. Run: `npx tsx bench/load.ts [--quick]`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Backend } from '../src-main/backend/appService'
import { createDispatcher } from '../src-main/common/dispatch'
import { startServer } from '../src-main/server/httpServer'

function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]!
}

export async function benchLoad(opts: { quick?: boolean; log: (line: string) => void }): Promise<{ p50: number; p99: number; samples: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-load-'))
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
  const backend = new Backend({ dataDir: dir, mode: 'browser' })
  const server = await startServer({ dispatch: createDispatcher(backend.api), subscribe: (cb) => backend.subscribe(cb), staticDir: path.join(root, 'src-renderer') })
  try {
    await backend.api['demo.open']({})
    const models = await backend.api['models.list']({})
    const dataset = (await backend.api['datasets.list']({}))[0]!
    // A larger text dataset so the extraction lasts: the captions repeated.
    const captions = fs.readFileSync(path.join(dataset.path, 'captions.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { caption: string }).caption)
    const big = path.join(dir, 'captions-big.txt')
    const reps = opts.quick ? 8 : 40
    fs.writeFileSync(big, Array.from({ length: reps }, (_, r) => captions.map((c) => `${c} ${r}`).join('\n')).join('\n') + '\n')
    const bigDs = await backend.api['datasets.add']({ path: big })
    const gpt = models.find((m) => m.name === 'gpt-tiny')!
    const extract = backend.jobs.start({ kind: 'extract', params: { modelId: gpt.id, datasetId: bigDs.id, batch: 16 }, title: 'load: extract' })
    const sweep = backend.jobs.start({ kind: 'sweep', params: { modelIds: models.map((m) => m.id), datasetId: dataset.id, metrics: ['mutual_knn', 'cka', 'svcca'], permutations: opts.quick ? 20 : 200 }, title: 'load: sweep' })
    const lat: number[] = []
    const url = `http://127.0.0.1:${server.port}/api/call`
    const running = () => [extract.id, sweep.id].some((id) => ['running', 'queued'].includes(backend.jobs.get(id).state))
    const t0 = performance.now()
    while (running()) {
      const s = performance.now()
      const r = await fetch(url, { method: 'POST', headers: { 'x-platonic-token': server.token, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'workspace.summary', args: {} }) })
      await r.json()
      lat.push(performance.now() - s)
      await new Promise((res) => setTimeout(res, 20))
    }
    const wall = (performance.now() - t0) / 1000
    lat.sort((a, b) => a - b)
    const p50 = percentile(lat, 0.5)
    const p99 = percentile(lat, 0.99)
    opts.log(`load: ${lat.length} API round trips during ${wall.toFixed(1)} s of extraction (${captions.length * reps} captions) + alignment sweep: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`)
    for (const id of [extract.id, sweep.id]) {
      const j = backend.jobs.get(id)
      opts.log(`  ${j.title}: ${j.state}${j.error ? ` (${j.error})` : ''}`)
    }
    return { p50, p99, samples: lat.length }
  } finally {
    await server.close()
    backend.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchLoad({ quick: process.argv.includes('--quick'), log: (l) => console.log(l) })
}
