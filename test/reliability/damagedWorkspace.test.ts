import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Workspace } from '../../src-main/core/store/workspace'
import { FIXTURES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'
import { errorLines, runCli } from './cli'

// A workspace database that is truncated (an interrupted copy) or damaged is exit 2 naming the file,
// and is left exactly as it was: nothing is written into it, no journal is created beside it.

const t = tmpDir('pl-damaged-')
afterAll(() => t.cleanup())

/** A closed workspace whose database spans many pages. */
function makeWorkspace(name: string): string {
  const dir = path.join(t.dir, name)
  const ws = Workspace.open(dir)
  for (let i = 0; i < 40; i++) ws.setSetting(`filler-${i}`, 'x'.repeat(4000))
  ws.close()
  return dir
}

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex')
const A = path.join(FIXTURES, 'align', 'pair2d_a.npy')

describe('a damaged workspace.sqlite', () => {
  it('truncated: every command that opens it is exit 2 naming it, and the file is untouched', async () => {
    const dir = makeWorkspace('truncated')
    const db = path.join(dir, 'workspace.sqlite')
    fs.truncateSync(db, Math.floor(fs.statSync(db).size / 2))
    const before = sha(db)
    for (const args of [['cache', 'verify'], ['align', A, A], ['report', '--html', path.join(t.dir, 'r.html')]]) {
      const r = await runCli([...args, '--data', dir])
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2)
      expect(errorLines(r.stderr).errors).toEqual([expect.stringMatching(/workspace\.sqlite: the workspace database is truncated \(\d+ bytes, its header says \d+\); nothing was changed/)])
      expect(errorLines(r.stderr).stack).toEqual([])
    }
    expect(sha(db)).toBe(before)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('workspace.sqlite'))).toEqual(['workspace.sqlite'])
  }, 300_000)

  it('its schema page overwritten: exit 2 saying the database is damaged, file untouched', async () => {
    const dir = makeWorkspace('garbled')
    const db = path.join(dir, 'workspace.sqlite')
    const fd = fs.openSync(db, 'r+')
    fs.writeSync(fd, Buffer.alloc(300, 0xff), 0, 300, 100) // the b-tree header and cells of sqlite_master
    fs.closeSync(fd)
    const before = sha(db)
    const r = await runCli(['cache', 'verify', '--data', dir])
    expect(r.code, r.stderr).toBe(2)
    expect(errorLines(r.stderr).errors).toEqual([expect.stringMatching(/workspace\.sqlite: the workspace database is damaged \(.*\); nothing was changed/)])
    expect(sha(db)).toBe(before)
  }, 120_000)
})
