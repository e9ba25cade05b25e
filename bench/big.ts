import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ExtractRequest } from '../src-main/core/features/extract'
import type { ExtractResult } from '../src-main/common/contract/features'
import { writeVitBase } from './vitBase'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const SHAPES = path.join(ROOT, 'resources', 'demo', 'datasets', 'shapes-256')
const PYTHON = '/usr/bin/python3'

interface ChildRun {
  result: ExtractResult
  peak_rss_bytes: number
}

/** One extraction in a fresh process and workspace (see extractChild.ts). */
function extractInChild(workspace: string, request: ExtractRequest): ChildRun {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'extractChild.ts'), JSON.stringify({ workspace, request })], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 })
  return JSON.parse(out.trim().split('\n').pop()!) as ChildRun
}

const MB = 2 ** 20

function torchAvailable(): boolean {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/**
 * Peak RSS of a tapped extraction (`--layers all`, the 25 residual-stream tensors, masked mean) of a
 * ~700M-parameter LLaMA-style decoder exported with past (bench/make_big_decoder.py, 2.8 GB of external
 * data) on captions, with the empty past fed as for any export with a KV cache; the target is weights +
 * 1 GiB.
 */
function benchBigDecoder(work: string, n: number, log: (line: string) => void): void {
  const dir = path.join(work, 'decoder-700m')
  const tg = performance.now()
  const params = Number(execFileSync(PYTHON, [path.join(ROOT, 'bench', 'make_big_decoder.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop())
  const weights = fs.statSync(path.join(dir, 'onnx', 'model.onnx_data')).size + fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size
  log(`LLaMA-style decoder with past (${(params / 1e6).toFixed(0)}M parameters, ${(weights / MB).toFixed(0)} MB) exported in ${((performance.now() - tg) / 1000).toFixed(0)} s`)
  const r = extractInChild(path.join(work, 'ws-decoder'), { modelPath: dir, datasetPath: SHAPES, limit: n, batch: 16, ep: 'cpu', layers: 'all', pool: 'mean' })
  const limit = weights + 1024 * MB
  log(
    `peak RSS, extract --layers all (${r.result.layers.length} layers) --pool mean --batch 16, ${n} captions: ${(r.peak_rss_bytes / MB).toFixed(0)} MB ` +
      `(target <= weights + 1 GiB = ${(limit / MB).toFixed(0)} MB: ${r.peak_rss_bytes <= limit ? 'met' : 'NOT met'}); pooling in ${r.result.pooling?.in}, ${(r.result.n / r.result.timing.loop_s).toFixed(1)} items/s`,
  )
  fs.rmSync(dir, { recursive: true, force: true })
}

/**
 * Big models, bounded memory: peak resident memory of a tapped extraction (`--layers all`, the 13
 * residual-stream tensors, CLS) of a ViT-B/16-sized model generated here with random weights as
 * external data, the model on another file system than the workspace where one exists (/dev/shm), so
 * no hard link is possible; the target is weights + 1 GiB. Then, where /usr/bin/python3 has torch and
 * torchvision, items/s of torchvision's ViT-B/16 (random weights) in PyTorch eager against the same
 * model exported to ONNX and run through `extract` on the same threads, alternated, since the machine
 * is shared: PyTorch gets random tensors, `extract` decodes and preprocesses PNGs as well.
 */
export async function benchBig(opts: { quick?: boolean; log: (line: string) => void }): Promise<void> {
  const n = opts.quick ? 16 : 64
  const batch = 16
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-big-'))
  const shm = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/pl-bench-vitb-') : fs.mkdtempSync(path.join(work, 'model-'))
  try {
    const tg = performance.now()
    const weights = writeVitBase(shm)
    const otherFs = fs.statSync(shm).dev !== fs.statSync(work).dev
    opts.log(`ViT-B/16-sized model (86.6M parameters, ${(weights / MB).toFixed(0)} MB external data) generated in ${((performance.now() - tg) / 1000).toFixed(1)} s, ${otherFs ? 'on another file system than the workspace' : 'on the same file system as the workspace'}`)
    for (const b of opts.quick ? [batch] : [batch, 2 * batch]) {
      const r = extractInChild(path.join(work, `ws-rss-${b}`), { modelPath: shm, datasetPath: SHAPES, limit: n, batch: b, ep: 'cpu', layers: 'all', pool: 'cls' })
      const limit = weights + 1024 * MB
      opts.log(
        `peak RSS, extract --layers all (${r.result.layers.length} tapped layers) --pool cls --batch ${b}, ${n} items: ${(r.peak_rss_bytes / MB).toFixed(0)} MB ` +
          `(target <= weights + 1 GiB = ${(limit / MB).toFixed(0)} MB: ${r.peak_rss_bytes <= limit ? 'met' : 'NOT met'}); pooling in ${r.result.pooling?.in}${r.result.pooling?.note ? ` (${r.result.pooling.note})` : ''}, ` +
          `${(r.result.n / r.result.timing.loop_s).toFixed(1)} items/s`,
      )
    }
    if (!torchAvailable()) {
      opts.log(`(no torch in ${PYTHON}: the decoder and the PyTorch comparison are skipped)`)
      return
    }
    if (!opts.quick) benchBigDecoder(work, n, opts.log)
    const exported = path.join(work, 'torch-vit-b16')
    execFileSync(PYTHON, [path.join(ROOT, 'bench', 'torch_vit_b16.py'), 'export', exported], { stdio: 'ignore' })
    const threads = os.availableParallelism()
    const ratios: number[] = []
    const rounds = opts.quick ? 1 : 3
    for (let round = 0; round < rounds; round++) {
      const torch = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'bench', 'torch_vit_b16.py'), 'bench', String(n), String(batch), String(threads)], { encoding: 'utf8' }).trim().split('\n').pop()!) as { items_per_s: number }
      const ours = extractInChild(path.join(work, `ws-torch-${round}`), { modelPath: exported, datasetPath: SHAPES, limit: n, batch, ep: 'cpu', layers: 'all', pool: 'cls' })
      const loop = ours.result.n / ours.result.timing.loop_s
      const run = ours.result.n / ours.result.timing.session_run_s
      ratios.push(loop / torch.items_per_s)
      opts.log(
        `round ${round + 1}: PyTorch eager ${torch.items_per_s.toFixed(2)} items/s; extract ${loop.toFixed(2)} items/s in the batch loop (${run.toFixed(2)} in session.run), ` +
          `ratio ${(loop / torch.items_per_s).toFixed(2)}; ${threads} threads, batch ${batch}, ${n} items, pooling in ${ours.result.pooling?.in}, peak RSS ${(ours.peak_rss_bytes / MB).toFixed(0)} MB`,
      )
    }
    opts.log(`extract / PyTorch eager, ViT-B/16 224 px CPU: median ratio ${median(ratios).toFixed(2)} over ${rounds} alternated round(s)`)
  } finally {
    fs.rmSync(shm, { recursive: true, force: true })
    fs.rmSync(work, { recursive: true, force: true })
  }
}
