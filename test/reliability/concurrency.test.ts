import Database from 'better-sqlite3'
import { execFileSync, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MODELS, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { CLI, errorLines, runCli, runCliJson, type CliOptions } from './cli'

// Several CLI processes on one workspace at once, and workspaces that cannot be written (read-only
// folder, full disk): clear errors, never a corrupt database, and the work resumes once writable.

const GPT = path.join(MODELS, 'gpt-tiny')
const VIT = path.join(MODELS, 'vit-tiny')
const CAPTIONS = path.join(SHAPES, 'captions.jsonl')

interface ExtractJson {
  feature_set: string
  n: number
  cached: boolean
  batches: { total: number; resumed: number; computed: number }
}

const t = tmpDir('pl-conc-')
afterAll(() => t.cleanup())

function sets(ws: string): { id: string; state: string; n_batches: number; done: number }[] {
  const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true })
  try {
    return db
      .prepare('SELECT id, state, n_batches, (SELECT COUNT(*) FROM feature_batches b WHERE b.feature_set_id = s.id) AS done FROM feature_sets s ORDER BY id')
      .all() as { id: string; state: string; n_batches: number; done: number }[]
  } finally {
    db.close()
  }
}

async function verifyOk(ws: string): Promise<void> {
  const v = await runCliJson<{ ok: boolean; integrity: string }>(['cache', 'verify', '--data', ws])
  expect(v.run.code, v.run.stdout + v.run.stderr).toBe(0)
  expect(v.json.integrity).toBe('ok')
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** Copies a folder tree (no links inside a workspace). */
function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true })
}

const shared = path.join(t.dir, 'shared-ws')

describe('concurrent writers on one workspace', () => {
  it('two identical extractions and a different one, started together on a new workspace, all finish with one consistent result', async () => {
    // All three race to create and migrate the database too (a second migrator once failed with
    // "table models already exists").
    const common = ['--data', shared, '--batch', '8']
    const [a, b, c] = await Promise.all([
      runCliJson<ExtractJson>(['extract', '--model', GPT, '--dataset', CAPTIONS, ...common, '--out', path.join(t.dir, 'a.npy')]),
      runCliJson<ExtractJson>(['extract', '--model', GPT, '--dataset', CAPTIONS, ...common, '--out', path.join(t.dir, 'b.npy')]),
      runCliJson<ExtractJson>(['extract', '--model', VIT, '--dataset', SHAPES, ...common]),
    ])
    for (const r of [a, b, c]) expect(r.run.code, r.run.stderr).toBe(0)
    expect(a.json.feature_set).toBe(b.json.feature_set)
    expect(c.json.feature_set).not.toBe(a.json.feature_set)
    expect(Buffer.compare(fs.readFileSync(path.join(t.dir, 'a.npy')), fs.readFileSync(path.join(t.dir, 'b.npy')))).toBe(0)

    const rows = sets(shared)
    expect(rows).toHaveLength(2)
    for (const r of rows) {
      expect(r.state).toBe('complete')
      expect(r.done).toBe(r.n_batches) // no batch stored twice, none missing
    }
    await verifyOk(shared)
    const again = await runCliJson<ExtractJson>(['extract', '--model', GPT, '--dataset', CAPTIONS, ...common])
    expect(again.json.cached).toBe(true)
  })
})

/** How to run the CLI so that file permissions apply: as ourselves, or (as root) as nobody. */
function unprivileged(probeDir: string): { opts: CliOptions; why: string | null } {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const opts: CliOptions = isRoot ? { uid: 65534, gid: 65534 } : {}
  // Root ignores permissions: prove that the runner really cannot write before trusting the test.
  const script = `const fs = require('fs')
    try { fs.accessSync(${JSON.stringify(CLI)}, fs.constants.R_OK) } catch { process.exit(3) }
    try { fs.writeFileSync(${JSON.stringify(path.join(probeDir, 'probe'))}, 'x') } catch { process.exit(4) }`
  const probe = spawnSync(process.execPath, ['-e', script], { uid: opts.uid, gid: opts.gid, cwd: REPO_ROOT })
  if (probe.error) return { opts, why: `cannot start a process as an unprivileged user (${probe.error.message})` }
  if (probe.status === 3) return { opts, why: 'the unprivileged user cannot read the repository' }
  if (probe.status !== 4) {
    fs.rmSync(path.join(probeDir, 'probe'), { force: true })
    return { opts, why: 'a write into the chmod 0555 folder succeeded (privileged runner), so read-only cannot be simulated' }
  }
  return { opts, why: null }
}

function chmodTree(dir: string, dirMode: number, fileMode: number): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) chmodTree(p, dirMode, fileMode)
    else fs.chmodSync(p, fileMode)
  }
  fs.chmodSync(dir, dirMode)
}

describe('a workspace that cannot be written', () => {
  it('read-only folder: a new extraction is refused with one clear error and the database is left as it was', async (ctx) => {
    expect(fs.existsSync(path.join(shared, 'workspace.sqlite')), 'needs the concurrent test').toBe(true)
    const ro = path.join(t.dir, 'read-only-ws')
    copyTree(shared, ro)
    // Someone must be able to traverse the temp folder and read the repository for the nobody case.
    fs.chmodSync(t.dir, 0o755)
    const before = sha256(path.join(ro, 'workspace.sqlite'))
    const nSets = sets(ro).length
    chmodTree(ro, 0o555, 0o444)
    try {
      const { opts, why } = unprivileged(ro)
      if (why) {
        console.warn(`skipped the read-only workspace test: ${why}`)
        ctx.skip()
      }
      const r = await runCli(['extract', '--data', ro, '--model', VIT, '--dataset', SHAPES, '--limit', '16'], opts)
      const { errors, stack } = errorLines(r.stderr)
      expect(stack, r.stderr).toEqual([])
      expect(errors, r.stderr).toHaveLength(1)
      expect(errors[0]).toMatch(/read-only-ws.*(read-only|cannot open the workspace for writing)/)
      expect(r.code, r.stderr).toBe(2)
    } finally {
      chmodTree(ro, 0o755, 0o644)
    }
    expect(sha256(path.join(ro, 'workspace.sqlite'))).toBe(before)
    expect(sets(ro)).toHaveLength(nSets)
    await verifyOk(ro)
  })

  it('disk full (a 4 MiB tmpfs filled up): one clear error, no corruption, and the extraction resumes after space is freed', async (ctx) => {
    const mnt = path.join(t.dir, 'tmpfs')
    fs.mkdirSync(mnt)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'ignore' })
    } catch {
      console.warn('skipped the tmpfs disk-full test: mounting a tmpfs needs root (the file-size-limit test below covers writes failing)')
      ctx.skip()
    }
    try {
      const ws = path.join(mnt, 'ws')
      const first = await runCli(['extract', '--data', ws, '--model', GPT, '--dataset', CAPTIONS, '--limit', '16'])
      expect(first.code, first.stderr).toBe(0)
      // Leave about 64 KiB: the 256-image extraction needs about 250 KiB of arrays plus the WAL.
      const free = fs.statfsSync(mnt)
      const fill = Math.max(0, free.bavail * free.bsize - 64 * 1024)
      fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(fill))
      const args = ['extract', '--data', ws, '--model', VIT, '--dataset', SHAPES, '--batch', '16']
      const full = await runCli(args)
      const { errors, stack } = errorLines(full.stderr)
      expect(stack, full.stderr).toEqual([])
      expect(errors, full.stderr).toHaveLength(1)
      expect(errors[0]).toMatch(/ws.*no space left on the device \(disk full\)/)
      expect(full.code).toBe(2)

      fs.rmSync(path.join(mnt, 'filler'))
      await verifyOk(ws)
      const stored = sets(ws).find((s) => s.state === 'partial')?.done ?? 0
      const resumed = await runCliJson<ExtractJson>(args)
      expect(resumed.run.code, resumed.run.stderr).toBe(0)
      expect(resumed.json.batches.resumed).toBe(stored)
      expect(resumed.json.batches.computed + resumed.json.batches.resumed).toBe(16)
      await verifyOk(ws)
    } finally {
      spawnSync('umount', ['-l', mnt])
    }
  })

  it('file-size limit reached (ulimit -f, works without root): one clear error and no corruption', async (ctx) => {
    if (process.platform === 'win32') ctx.skip()
    const ws = path.join(t.dir, 'fsize-ws')
    copyTree(shared, ws)
    const before = sets(ws)
    // SIGXFSZ ignored before exec stays ignored in node, so an oversized write fails with EFBIG.
    const prefix = ['sh', '-c', 'trap "" XFSZ; ulimit -f 16 || exit 99; exec "$@"', 'sh']
    const r = await runCli(['extract', '--data', ws, '--model', VIT, '--dataset', SHAPES, '--batch', '16', '--limit', '64'], { prefix })
    expect(r.code, r.stderr).not.toBe(99)
    const { errors, stack } = errorLines(r.stderr)
    expect(stack, r.stderr).toEqual([])
    expect(errors, r.stderr).toHaveLength(1)
    expect(errors[0]).toMatch(/fsize-ws.*(file-size limit|write error|no space left)/)
    expect(r.code).toBe(2)
    await verifyOk(ws)
    expect(sets(ws).filter((s) => before.some((b) => b.id === s.id))).toEqual(before)
  })
})
