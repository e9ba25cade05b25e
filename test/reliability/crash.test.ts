import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseNpy } from '../../src-main/core/data/npy'
import { MODELS, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { runCli, runCliJson, type CliRun } from './cli'

// Real crashes: the CLI runs in a child process that is SIGKILLed mid-work (no cleanup handlers run),
// then the workspace is checked with `cache verify`, read directly with SQLite, and the work is resumed.

const GPT = path.join(MODELS, 'gpt-tiny')

interface ExtractJson {
  feature_set: string
  n: number
  cached: boolean
  batches: { total: number; resumed: number; computed: number }
}
interface VerifyJson {
  ok: boolean
  integrity: string
  problems: string[]
  repaired: string[]
}

function featureSetRow(ws: string, id: string): { state: string; n_batches: number; done: number } {
  const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true })
  try {
    return db
      .prepare('SELECT state, n_batches, (SELECT COUNT(*) FROM feature_batches b WHERE b.feature_set_id = s.id) AS done FROM feature_sets s WHERE id = ?')
      .get(id) as { state: string; n_batches: number; done: number }
  } finally {
    db.close()
  }
}

function onlyFeatureSetId(ws: string): string {
  const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true })
  try {
    const rows = db.prepare('SELECT id FROM feature_sets').all() as { id: string }[]
    expect(rows).toHaveLength(1)
    return rows[0]!.id
  } finally {
    db.close()
  }
}

function npyValues(file: string): { shape: number[]; data: Float32Array | Float64Array } {
  const a = parseNpy(fs.readFileSync(file), file)
  return { shape: a.shape, data: a.data }
}

/** Starts `args` and SIGKILLs it once `shouldKill(line)` says so (checked on every stderr line). */
async function killWhen(args: string[], shouldKill: (line: string) => boolean): Promise<CliRun> {
  let sent = false
  return runCli(args, {
    onStderrLine: (line, child) => {
      if (!sent && shouldKill(line)) {
        sent = true
        child.kill('SIGKILL')
      }
    },
  })
}

describe('extraction killed with SIGKILL', () => {
  const t = tmpDir('pl-crash-')
  const ws = path.join(t.dir, 'ws')
  const fresh = path.join(t.dir, 'ws-fresh')
  const dataset = path.join(t.dir, 'captions.txt')
  const freshOut = path.join(t.dir, 'fresh.npy')
  let freshRun: Promise<{ run: CliRun; json: ExtractJson }>
  let fsId = ''

  beforeAll(() => {
    // 3,072 captions (the 256 shapes-256 captions in 12 variants, each variant with a different prefix length so no two batches coincide): 192 batches of 16, a few seconds of work.
    const caps = fs
      .readFileSync(path.join(SHAPES, 'captions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { caption: string }).caption)
    const lines: string[] = []
    for (let v = 0; v < 12; v++) for (const c of caps) lines.push(`${'maybe '.repeat(v)}${c}`)
    fs.writeFileSync(dataset, lines.join('\n') + '\n')
  })
  afterAll(() => t.cleanup())

  it('keeps finished batches, verifies clean, shows the set as partial, and resumes to the same features', async () => {
    const args = ['extract', '--data', ws, '--model', GPT, '--dataset', dataset, '--batch', '16']
    let killedAt = -1
    const killed = await killWhen(args, (line) => {
      const m = /^(\d+)% /.exec(line)
      if (m && Number(m[1]) >= 20 && Number(m[1]) < 100) {
        killedAt = Number(m[1])
        return true
      }
      return false
    })
    expect(killed.signal, `the extraction finished before it could be killed:\n${killed.stderr}`).toBe('SIGKILL')
    expect(killedAt).toBeGreaterThanOrEqual(20)

    // The reference extraction in another workspace runs while this one is inspected.
    freshRun = runCliJson<ExtractJson>(['extract', '--data', fresh, '--model', GPT, '--dataset', dataset, '--batch', '16', '--out', freshOut])

    const v = await runCliJson<VerifyJson>(['cache', 'verify', '--data', ws])
    expect(v.run.code, v.run.stdout + v.run.stderr).toBe(0)
    expect(v.json.ok).toBe(true)
    expect(v.json.integrity).toBe('ok')

    fsId = onlyFeatureSetId(ws)
    const row = featureSetRow(ws, fsId)
    expect(row.state).toBe('partial')
    expect(row.done).toBeGreaterThan(0)
    expect(row.done).toBeLessThan(row.n_batches)

    // A partial set is never handed out as a result.
    const partialAlign = await runCli(['align', fsId, fsId, '--data', ws])
    expect(partialAlign.code).toBe(2)
    expect(partialAlign.stderr).toMatch(/^error: .*partial/m)

    const out = path.join(t.dir, 'resumed.npy')
    const resumed = await runCliJson<ExtractJson>([...args, '--out', out])
    expect(resumed.run.code, resumed.run.stderr).toBe(0)
    expect(resumed.json.feature_set).toBe(fsId)
    expect(resumed.json.cached).toBe(false)
    expect(resumed.json.batches.resumed).toBe(row.done)
    expect(resumed.json.batches.resumed + resumed.json.batches.computed).toBe(resumed.json.batches.total)
    expect(featureSetRow(ws, fsId).state).toBe('complete')

    const f = await freshRun
    expect(f.run.code, f.run.stderr).toBe(0)
    expect(f.json.batches.resumed).toBe(0)
    const a = npyValues(out)
    const b = npyValues(freshOut)
    expect(a.shape).toEqual([3072, b.shape[1], b.shape[2]])
    expect(a.shape).toEqual(b.shape)
    // Same batch boundaries and inputs on the same CPU runtime: the numbers agree to float32 rounding.
    let maxDiff = 0
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i]! - b.data[i]!))
    expect(maxDiff).toBeLessThanOrEqual(1e-5)
  })

  it('cache verify names a corrupted array, --repair drops just that batch, and extract recomputes only it', async () => {
    expect(fsId, 'needs the previous test').not.toBe('')
    const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true })
    const victim = db.prepare('SELECT batch_index, array_sha256 FROM feature_batches WHERE feature_set_id = ? ORDER BY batch_index LIMIT 1 OFFSET 5').get(fsId) as {
      batch_index: number
      array_sha256: string
    }
    // Arrays are content-addressed: every batch with these exact bytes shares the file and is damaged with it.
    const sharing = (db.prepare('SELECT COUNT(*) AS n FROM feature_batches WHERE array_sha256 = ?').get(victim.array_sha256) as { n: number }).n
    db.close()
    const file = path.join(ws, 'arrays', victim.array_sha256.slice(0, 2), `${victim.array_sha256}.bin`)
    const bytes = fs.readFileSync(file)
    bytes[17] = bytes[17]! ^ 0xff // same size, different content: only the hash can tell
    fs.writeFileSync(file, bytes)

    const bad = await runCliJson<VerifyJson>(['cache', 'verify', '--data', ws])
    expect(bad.run.code).toBe(1)
    expect(bad.json.ok).toBe(false)
    expect(bad.json.problems.join('\n')).toMatch(new RegExp(`${fsId}: batch ${victim.batch_index} hash mismatch`))
    const text = await runCli(['cache', 'verify', '--data', ws])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(`batch ${victim.batch_index} hash mismatch`)

    const fixed = await runCliJson<VerifyJson>(['cache', 'verify', '--repair', '--data', ws])
    expect(fixed.run.code, fixed.run.stdout).toBe(0)
    expect(fixed.json.ok).toBe(true)
    expect(fixed.json.repaired.join('\n')).toMatch(new RegExp(`dropped ${sharing} damaged batch`))
    expect(fs.existsSync(file)).toBe(false)
    expect(featureSetRow(ws, fsId).state).toBe('partial')

    const again = await runCliJson<ExtractJson>(['extract', '--data', ws, '--model', GPT, '--dataset', dataset, '--batch', '16', '--out', path.join(t.dir, 'healed.npy')])
    expect(again.run.code, again.run.stderr).toBe(0)
    expect(sharing).toBe(1) // the prefixes make every batch distinct
    expect(again.json.batches.computed).toBe(1)
    expect(again.json.batches.resumed).toBe(again.json.batches.total - 1)
    expect(Buffer.compare(fs.readFileSync(path.join(t.dir, 'healed.npy')), fs.readFileSync(path.join(t.dir, 'resumed.npy')))).toBe(0)
    const clean = await runCliJson<VerifyJson>(['cache', 'verify', '--data', ws])
    expect(clean.run.code).toBe(0)
  })
})

describe('demo killed with SIGKILL during the alignment sweep', () => {
  const t = tmpDir('pl-crash-demo-')
  const ws = path.join(t.dir, 'demo-ws')
  afterAll(() => t.cleanup())

  function storedAlignments(): number {
    if (!fs.existsSync(path.join(ws, 'workspace.sqlite'))) return 0
    try {
      const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true, fileMustExist: true })
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM alignments').get() as { n: number }).n
      } finally {
        db.close()
      }
    } catch {
      return 0 // not created or migrated yet
    }
  }

  function alignmentIds(): string[] {
    const db = new Database(path.join(ws, 'workspace.sqlite'), { readonly: true })
    try {
      return (db.prepare('SELECT id FROM alignments ORDER BY id').all() as { id: string }[]).map((r) => r.id)
    } finally {
      db.close()
    }
  }

  it('verifies after the kill; report --demo resumes the sweep (reusing stored pairs) instead of reporting it partial', async () => {
    let timer: NodeJS.Timeout | undefined
    let alignedAtKill = 0
    const killed = await runCli(['demo', '--data', ws], {
      onSpawn: (child) => {
        // Poll the database (WAL lets a reader in while the demo writes) and kill at the first stored pair.
        timer = setInterval(() => {
          const n = storedAlignments()
          if (n > 0) {
            alignedAtKill = n
            clearInterval(timer)
            child.kill('SIGKILL')
          }
        }, 40)
      },
    })
    clearInterval(timer)
    expect(killed.signal, `the demo finished before it could be killed:\n${killed.stderr}`).toBe('SIGKILL')
    expect(alignedAtKill).toBeGreaterThan(0)

    const v = await runCliJson<VerifyJson>(['cache', 'verify', '--data', ws])
    expect(v.run.code, v.run.stdout).toBe(0)
    const keptIds = alignmentIds()
    expect(keptIds.length).toBeGreaterThan(0)

    // `report --demo` on the killed demo must not report the partial sweep as the demo: it resumes it
    // first (the old check "some alignments exist" reported whatever the kill had left).
    const html = path.join(t.dir, 'demo.html')
    const report = await runCli(['report', '--demo', '--html', html, '--data', ws])
    expect(report.code, report.stderr).toBe(0)
    expect(fs.statSync(html).size).toBeGreaterThan(1000)

    const again = await runCliJson<{ sweep: { pairs: number; computed: number; reused: number } }>(['demo', '--data', ws])
    expect(again.run.code, again.run.stderr).toBe(0)
    // Everything was finished by the resumed run above; the pairs stored before the kill were reused as is.
    expect(again.json.sweep.computed).toBe(0)
    expect(again.json.sweep.reused).toBe(again.json.sweep.pairs)
    const idsNow = new Set(alignmentIds())
    for (const id of keptIds) expect(idsNow.has(id), `alignment ${id} stored before the kill was recomputed or lost`).toBe(true)
    expect(idsNow.size).toBeGreaterThan(keptIds.length)
    const after = await runCliJson<VerifyJson>(['cache', 'verify', '--data', ws])
    expect(after.run.code, after.run.stdout).toBe(0)
  })
})
