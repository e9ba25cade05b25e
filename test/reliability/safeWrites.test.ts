import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { ApiClient } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import { AppError } from '../../src-main/common/errors'
import { inProcessTransport } from '../../src-main/common/inProcessTransport'
import { checkWriteTarget, writeAtomically, writeFileAtomically } from '../../src-main/core/data/atomicWrite'
import { parseNpy } from '../../src-main/core/data/npy'
import { extractFeatures } from '../../src-main/core/features/extract'
import { Workspace } from '../../src-main/core/store/workspace'
import { MODELS, REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { errorLines, runCli } from './cli'

// Files written at the user's request (--out, --html, --report, features.export) are written to a
// temporary file and renamed, never truncate the previous file, and replace one only when asked.

const t = tmpDir('pl-writes-')
afterAll(() => t.cleanup())

function errorOf(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return e as AppError
  }
  throw new Error('expected an error')
}

describe('writeFileAtomically / writeAtomically', () => {
  it('refuses a folder, a path through a file, and an existing file without overwrite; replaces it with overwrite', () => {
    const dir = fs.mkdtempSync(path.join(t.dir, 'u-'))
    expect(errorOf(() => writeFileAtomically(dir, 'x')).message).toBe(`${dir}: is a folder; give a file name`)
    const file = path.join(dir, 'a.txt')
    fs.writeFileSync(file, 'old')
    const through = errorOf(() => writeFileAtomically(path.join(file, 'b.txt'), 'x'))
    expect(through.code).toBe('BAD_INPUT')
    expect(through.message).toMatch(/a\.txt\/b\.txt: cannot write/)
    const exists = errorOf(() => writeFileAtomically(file, 'new'))
    expect(exists.code).toBe('CONFLICT')
    expect(exists.message).toBe(`${file}: already exists; pass --force to replace it`)
    expect(fs.readFileSync(file, 'utf8')).toBe('old')
    writeFileAtomically(file, 'new', { overwrite: true })
    expect(fs.readFileSync(file, 'utf8')).toBe('new')
    // Nothing but the file itself is left in the folder.
    expect(fs.readdirSync(dir)).toEqual(['a.txt'])
  })

  it('a producer that fails leaves the previous file whole and no temporary file behind', async () => {
    const dir = fs.mkdtempSync(path.join(t.dir, 'f-'))
    const file = path.join(dir, 'r.pdf')
    fs.writeFileSync(file, 'previous report')
    await expect(
      writeAtomically(file, { overwrite: true }, (tmp) => {
        fs.writeFileSync(tmp, 'half')
        throw new Error('printer died')
      }),
    ).rejects.toThrow('printer died')
    expect(fs.readFileSync(file, 'utf8')).toBe('previous report')
    expect(fs.readdirSync(dir)).toEqual(['r.pdf'])
  })

  it('a process SIGKILLed in the middle of a write leaves the previous file whole', async () => {
    const dir = fs.mkdtempSync(path.join(t.dir, 'k-'))
    const file = path.join(dir, 'features.npy')
    fs.writeFileSync(file, 'previous features')
    const script = path.join(dir, 'writer.mts')
    const helper = path.join(REPO_ROOT, 'src-main', 'core', 'data', 'atomicWrite.ts')
    fs.writeFileSync(
      script,
      `import { writeAtomically } from ${JSON.stringify(helper)}
import fs from 'node:fs'
await writeAtomically(${JSON.stringify(file)}, { overwrite: true }, async (tmp) => {
  fs.writeFileSync(tmp, Buffer.alloc(1 << 20))
  process.stdout.write('half written\\n')
  await new Promise(() => {})
})
`,
    )
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('half written')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)))
    })
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited
    expect(fs.readFileSync(file, 'utf8')).toBe('previous features')
  })

  it('checkWriteTarget refuses a missing folder, or creates it when asked, and returns the absolute path', () => {
    const target = path.join(t.dir, 'new', 'deeper', 'x.npy')
    expect(errorOf(() => checkWriteTarget(target)).message).toMatch(/x\.npy: folder .*deeper does not exist/)
    expect(checkWriteTarget(target, { mkdir: true })).toBe(target)
    expect(fs.statSync(path.dirname(target)).isDirectory()).toBe(true)
  })
})

describe('CLI: --out, --html, --report never truncate and need --force to replace', () => {
  const ws = path.join(t.dir, 'ws')
  const GPT = path.join(MODELS, 'gpt-tiny')
  const captions = path.join(SHAPES, 'captions.jsonl')

  it('extract --out: a folder, an existing file (without --force), a path through a file: exit 2 before any extraction', async () => {
    const existing = path.join(t.dir, 'keep.npy')
    fs.writeFileSync(existing, 'user data')
    const folder = path.join(t.dir, 'folder.npy')
    fs.mkdirSync(folder)
    const cases: [string, RegExp][] = [
      [folder, /folder\.npy: is a folder; give a file name/],
      [existing, /keep\.npy: already exists; pass --force to replace it/],
      [path.join(existing, 'x.npy'), /keep\.npy\/x\.npy: cannot write/],
    ]
    for (const [out, want] of cases) {
      const r = await runCli(['extract', '--model', GPT, '--dataset', captions, '--limit', '8', '--out', out, '--data', ws])
      expect(r.code, r.stderr).toBe(2)
      expect(errorLines(r.stderr).errors).toEqual([expect.stringMatching(want)])
      expect(errorLines(r.stderr).stack).toEqual([])
    }
    expect(fs.readFileSync(existing, 'utf8')).toBe('user data')
    // No feature set was started: the destination was refused first.
    expect(fs.existsSync(path.join(ws, 'workspace.sqlite'))).toBe(false)
  })

  it('extract --out --force replaces an existing file with the features', async () => {
    const existing = path.join(t.dir, 'replace.npy')
    fs.writeFileSync(existing, 'old')
    const r = await runCli(['extract', '--model', GPT, '--dataset', captions, '--limit', '8', '--out', existing, '--force', '--data', ws, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const a = parseNpy(fs.readFileSync(existing), existing)
    expect(a.shape[0]).toBe(8)
    expect(fs.readdirSync(t.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it.runIf(process.getuid?.() === 0)('extract --out into a folder the user cannot write: exit 2 naming it', async () => {
    const locked = path.join(t.dir, 'locked')
    fs.mkdirSync(locked, { mode: 0o555 })
    fs.chmodSync(locked, 0o555)
    fs.chmodSync(t.dir, 0o777)
    const userWs = path.join(t.dir, 'ws-nobody')
    fs.mkdirSync(userWs, { mode: 0o777 })
    fs.chmodSync(userWs, 0o777)
    const r = await runCli(['extract', '--model', GPT, '--dataset', captions, '--limit', '8', '--out', path.join(locked, 'f.npy'), '--data', userWs], { uid: 65534, gid: 65534 })
    expect(r.code, r.stderr).toBe(2)
    expect(errorLines(r.stderr).errors).toEqual([expect.stringMatching(/locked\/f\.npy: cannot write to folder .*locked \(permission denied\)/)])
  })

  it('report --out / --html and demo --report: an existing file is refused before any work', async () => {
    fs.mkdirSync(path.join(t.dir, 'folder.pdf'))
    const pdf = path.join(t.dir, 'old.pdf')
    const html = path.join(t.dir, 'old.html')
    fs.writeFileSync(pdf, '%PDF old')
    fs.writeFileSync(html, '<p>old</p>')
    const runs = [
      ['report', '--out', pdf],
      ['report', '--html', html],
      ['report', '--out', path.join(t.dir, 'folder.pdf'), '--html', path.join(t.dir, 'new.html')],
      ['demo', '--report', pdf],
      ['demo', '--html', html],
    ]
    const results = await Promise.all(runs.map((args) => runCli([...args, '--data', path.join(t.dir, 'ws-report')], { timeoutMs: 240_000 })))
    results.forEach((r, i) => {
      expect(r.code, `${runs[i]!.join(' ')}: ${r.stderr}`).toBe(2)
      expect(errorLines(r.stderr).errors).toHaveLength(1)
    })
    expect(fs.readFileSync(pdf, 'utf8')).toBe('%PDF old')
    expect(fs.readFileSync(html, 'utf8')).toBe('<p>old</p>')
    expect(fs.existsSync(path.join(t.dir, 'new.html'))).toBe(false)
  }, 300_000)

  it('align --bootstrap and --permutations are capped at 10000 (exit 2), as the API caps them', async () => {
    const a = path.join(REPO_ROOT, 'test', 'fixtures', 'align', 'pair2d_a.npy')
    for (const flag of ['--bootstrap', '--permutations']) {
      const r = await runCli(['align', a, a, flag, '1e12', '--data', ws])
      expect(r.code, r.stderr).toBe(2)
      expect(errorLines(r.stderr).errors).toEqual([`error: ${flag}: must be a whole number in 0..10000, got 1000000000000`])
    }
  })
})

describe('features.export (API) asks before replacing a bundle', () => {
  let backend: Backend
  let client: ApiClient
  const dataDir = path.join(t.dir, 'api-ws')
  beforeAll(async () => {
    const ws = Workspace.open(dataDir)
    try {
      await extractFeatures(ws, { modelPath: path.join(MODELS, 'gpt-tiny'), datasetPath: path.join(SHAPES, 'captions.jsonl'), limit: 8 })
    } finally {
      ws.close()
    }
    backend = new Backend({ dataDir, mode: 'in-process', cancelGraceMs: 3000 })
    client = new ApiClient(inProcessTransport(createDispatcher(backend.api), (cb) => backend.subscribe(cb)))
  }, 120_000)
  afterAll(() => backend?.close())

  it('an existing features.npy is CONFLICT without overwrite and left as it was; overwrite: true replaces it', async () => {
    const [set] = await client.call('features.list', {})
    const dir = path.join(t.dir, 'bundle')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'features.npy'), 'my own array')
    const err = await client.call('features.export', { id: set!.id, dir }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('CONFLICT')
    expect((err as AppError).message).toMatch(/features\.npy: already exists; pass overwrite: true to replace it/)
    expect(fs.readFileSync(path.join(dir, 'features.npy'), 'utf8')).toBe('my own array')
    expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(false)
    const r = await client.call('features.export', { id: set!.id, dir, overwrite: true })
    expect(r.files).toEqual(['features.npy', 'manifest.json'])
    expect(parseNpy(fs.readFileSync(path.join(dir, 'features.npy')), 'features.npy').shape[0]).toBe(8)
  })
})
