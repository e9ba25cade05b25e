import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FIXTURES, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')
const CLIP = path.join(FIXTURES, 'models', 'clip-tiny')
const t = tmpDir('pl-dual-cli-')
afterAll(() => t.cleanup())

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', t.dir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe('a dual encoder on the command line', () => {
  it('extract --tower runs each tower of one file; align compares the image tower with the text tower', () => {
    const base = ['extract', '--model', CLIP, '--dataset', SHAPES, '--layers', 'all', '--limit', '40', '--ep', 'cpu', '--json']
    const v = cli([...base, '--tower', 'vision'])
    expect(v.stderr).not.toMatch(/error/)
    expect(v.code).toBe(0)
    const tx = cli([...base, '--tower', 'text'])
    expect(tx.code).toBe(0)
    const a = JSON.parse(v.stdout) as { feature_set: string; tower: string; dim: number; model_sha256: string }
    const b = JSON.parse(tx.stdout) as { feature_set: string; tower: string; dim: number; model_sha256: string }
    expect([a.tower, a.dim, b.tower, b.dim]).toEqual(['vision', 48, 'text', 32])
    expect(a.model_sha256).toBe(b.model_sha256)
    const al = cli(['align', a.feature_set, b.feature_set, '--metrics', 'mutual_knn,cka', '--k', '5', '--json'])
    expect(al.code).toBe(0)
    const r = JSON.parse(al.stdout) as { n: number; metrics: Record<string, { score: number; matrix: number[][] }> }
    expect(r.n).toBe(40)
    // Three vision layers against three text layers, each score a valid number.
    expect(r.metrics.mutual_knn!.matrix.map((row) => row.length)).toEqual([3, 3, 3])
    for (const m of ['mutual_knn', 'cka']) expect(r.metrics[m]!.score).toBeGreaterThanOrEqual(0)
  })

  it('an unknown tower, or a tower a single-tower model lacks, is exit 2 with one error line', () => {
    const a = cli(['extract', '--model', CLIP, '--dataset', SHAPES, '--tower', 'audio'])
    expect(a.code).toBe(2)
    expect(a.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --tower: expected one of vision, text, got "audio"/)])
    const b = cli(['extract', '--model', path.join(REPO_ROOT, 'resources', 'demo', 'models', 'vit-tiny'), '--dataset', SHAPES, '--tower', 'text'])
    expect(b.code).toBe(2)
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --tower: .*vit-tiny has one tower \(vision\), not a text tower/)])
  })
})
