import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readNpy } from '../../src-main/core/data/npy'
import { MODELS, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

// The README's cluster examples, run as written on this machine: their shard processes run at once,
// then the bundles are merged, imported, and compared with an unsharded extraction.
const EXAMPLES = path.join(REPO_ROOT, 'examples', 'cluster')
const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')
const MODEL = path.join(MODELS, 'vit-tiny')

const t = tmpDir('pl-cluster-')
let env: NodeJS.ProcessEnv
let reference: ReturnType<typeof readNpy>

function run(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: t.dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

function pl(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: t.dir, env, encoding: 'utf8', timeout: 300_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Imports a merged bundle into a fresh workspace and checks the unsharded extract is a cache hit equal to the reference. */
function importAndCompare(merged: string, tag: string): void {
  const ws = path.join(t.dir, `ws-${tag}`)
  const imp = pl(['bundle', 'import', merged, '--data', ws, '--json'])
  expect(imp.code, imp.stderr).toBe(0)
  const out = path.join(t.dir, `${tag}.npy`)
  const hit = pl(['extract', '--model', MODEL, '--dataset', SHAPES, '--layers', 'all', '--data', ws, '--out', out, '--json'])
  expect(hit.code, hit.stderr).toBe(0)
  expect(JSON.parse(hit.stdout)).toMatchObject({ cached: true, feature_set: JSON.parse(imp.stdout).feature_set, n: 256 })
  const got = readNpy(out)
  expect(got.shape).toEqual(reference.shape)
  let worst = 0
  for (let i = 0; i < got.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - reference.data[i]!) / Math.max(1e-6, Math.abs(reference.data[i]!)))
  expect(worst).toBeLessThanOrEqual(1e-5)
}

beforeAll(() => {
  // `platonic-lab` on PATH, as the Docker image and an npm-linked checkout provide it.
  const binDir = path.join(t.dir, 'bin')
  fs.mkdirSync(binDir)
  fs.writeFileSync(path.join(binDir, 'platonic-lab'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 })
  env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`, MODEL, DATASET: SHAPES }
  const ref = path.join(t.dir, 'reference.npy')
  const r = pl(['extract', '--model', MODEL, '--dataset', SHAPES, '--layers', 'all', '--data', path.join(t.dir, 'ws-reference'), '--out', ref, '--json'])
  expect(r.code, r.stderr).toBe(0)
  reference = readNpy(ref)
})
afterAll(() => t.cleanup())

describe('cluster examples', () => {
  it('the plain shell loop runs its shards at once and merges them', async () => {
    const r = await run('sh', [path.join(EXAMPLES, 'extract-shards.sh')], { OUT: path.join(t.dir, 'loop'), SHARDS: '3' })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(fs.readFileSync(path.join(t.dir, 'loop', 'merged.json'), 'utf8'))).toMatchObject({ shards: 3, n: 256 })
    importAndCompare(path.join(t.dir, 'loop', 'merged'), 'loop')
  })

  it('the Slurm array script runs one shard per task id', async () => {
    const out = path.join(t.dir, 'slurm')
    const tasks = [0, 1].map((id) => run('bash', [path.join(EXAMPLES, 'slurm-extract.sbatch')], { OUT: out, SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: '2' }))
    for (const r of await Promise.all(tasks)) expect(r.code, r.stderr).toBe(0)
    const m = pl(['bundle', 'merge', path.join(out, 'merged'), path.join(out, 'shard-0'), path.join(out, 'shard-1'), '--json'])
    expect(m.code, m.stderr).toBe(0)
    importAndCompare(path.join(out, 'merged'), 'slurm')
  })

  it("the Kubernetes Indexed Job's container command runs one shard per completion index", async () => {
    const yaml = fs.readFileSync(path.join(EXAMPLES, 'k8s-indexed-job.yaml'), 'utf8')
    // The folded block scalar under `args: - >-`: its lines joined with spaces, as YAML folds them.
    const block = /args:\n\s+- >-\n((?:\s{14}.*\n)+)/.exec(yaml)
    expect(block).not.toBeNull()
    const script = block![1]!.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')
    const completions = Number(/completions: (\d+)/.exec(yaml)![1])
    expect(yaml).toMatch(new RegExp(`name: SHARDS, value: "${completions}"`))
    const out = path.join(t.dir, 'k8s')
    const pods = [0, 1].map((i) => run('sh', ['-c', script], { OUT: out, SHARDS: '2', JOB_COMPLETION_INDEX: String(i) }))
    for (const r of await Promise.all(pods)) expect(r.code, r.stderr).toBe(0)
    const m = pl(['bundle', 'merge', path.join(out, 'merged'), path.join(out, 'shard-1'), path.join(out, 'shard-0'), '--json'])
    expect(m.code, m.stderr).toBe(0)
    importAndCompare(path.join(out, 'merged'), 'k8s')
  })

  it('a merge with a shard missing is exit 2 with one error line, and writes nothing', () => {
    const out = path.join(t.dir, 'partial')
    const m = pl(['bundle', 'merge', out, path.join(t.dir, 'loop', 'shard-0'), path.join(t.dir, 'loop', 'shard-2')])
    expect(m.code).toBe(2)
    expect(m.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*missing shard 1 of 3/)])
    expect(fs.existsSync(out)).toBe(false)
  })
})
