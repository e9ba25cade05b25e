import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Workspace } from '../src-main/core/store/workspace'
import { evaluateVlm } from '../src-main/core/vlm/evaluate'
import { writeShapesBenchmark } from '../test/helpers/shapesBenchmark'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'vlm', 'tiny-llava')
const MAKER = path.join(ROOT, 'test', 'fixtures', 'vlm', 'make_tiny_llava.py')
const PYTHON = '/usr/bin/python3'

function hasTorch(): boolean {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, onnx, jinja2, PIL'], { stdio: 'ignore' }).status === 0
}

/**
 * Local VLM evaluation on CPU: generated tokens/s and questions/min of `evaluate` (greedy, KV cache) for
 * the tiny LLaVA fixture and, where Debian's python3-torch is installed, a ~25M-parameter model of the
 * same layout exported at run time; with the share of generation time spent outside session.run
 * (prompt rendering, tokenising, image preprocessing, splicing, argmax), and PyTorch eager greedy
 * decoding with a KV cache on the same questions, model and thread count for comparison.
 */
export async function benchVlm({ quick, log }: { quick: boolean; log: (l: string) => void }): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-vlm-'))
  try {
    const n = quick ? 8 : 48
    const bench = writeShapesBenchmark(path.join(tmp, 'bench'), n).dir
    const models: { name: string; dir: string; size: string }[] = [{ name: 'tiny (fixture, 0.1M)', dir: FIXTURE, size: 'tiny' }]
    const torch = hasTorch()
    if (torch && !quick) {
      const dir = path.join(tmp, 'small')
      const r = spawnSync(PYTHON, [MAKER, '--size', 'small', '--out', dir, '--no-reference'], { encoding: 'utf8' })
      if (r.status === 0) models.push({ name: 'small (25M)', dir, size: 'small' })
      else log(`(could not export the small model: ${r.stderr.split('\n').slice(-2).join(' ')})`)
    } else if (!torch) log('(python3-torch not found: only the fixture is measured, and no PyTorch baseline)')
    for (const m of models) {
      for (const batch of [1, 8]) {
        const ws = Workspace.open(path.join(tmp, `ws-${m.size}-${batch}`))
        try {
          const r = await evaluateVlm(ws, { modelPath: m.dir, benchmarkPath: bench, batch, ep: 'cpu' })
          const t = r.timing
          const outside = t.generate_s > 0 ? 1 - t.session_run_s / t.generate_s : 0
          log(`${m.name.padEnd(22)} batch ${String(batch).padStart(2)}: ${t.tokens_per_s!.toFixed(1).padStart(8)} tokens/s, ${t.questions_per_min!.toFixed(0).padStart(6)} questions/min, ${(100 * outside).toFixed(1)}% outside session.run (${t.generated_tokens} tokens, ${n} questions)`)
        } finally {
          ws.close()
        }
      }
      if (torch && !quick) {
        const r = spawnSync(PYTHON, [MAKER, '--size', m.size, '--out', path.join(tmp, `torch-${m.size}`), '--time-generation', String(Math.min(n, 16))], { encoding: 'utf8' })
        const line = r.stdout.trim().split('\n').pop() ?? ''
        try {
          const j = JSON.parse(line) as { tokens_per_s: number; threads: number; questions: number }
          log(`${m.name.padEnd(22)} PyTorch eager, batch 1: ${j.tokens_per_s.toFixed(1).padStart(8)} tokens/s (${j.threads} threads, ${j.questions} questions, KV cache)`)
        } catch {
          log(`(PyTorch timing failed: ${r.stderr.split('\n').slice(-2).join(' ')})`)
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
