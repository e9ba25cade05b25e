import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Workspace, DB_FILE } from '../../../src-main/core/store/workspace'
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index'
import { fileSha256 } from '../../../src-main/core/store/fileHash'
import { AppError } from '../../../src-main/common/errors'
import { tmpDir } from '../../helpers/tmp'

describe('Workspace', () => {
  it('creates the database in WAL mode at the latest schema version', () => {
    const t = tmpDir()
    const ws = Workspace.open(path.join(t.dir, 'nested', 'ws'))
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(ws.schemaVersion).toBe(Math.max(...MIGRATIONS.map((m) => m.version)))
    expect(ws.db.pragma('integrity_check', { simple: true })).toBe('ok')
    ws.close()
    t.cleanup()
  })

  it('upgrades an older workspace in place and keeps its rows', () => {
    const t = tmpDir()
    const first = MIGRATIONS.filter((m) => m.version === 1)
    const old = Workspace.open(t.dir, { migrations: first })
    old.setSetting('keep', 'me')
    expect(old.schemaVersion).toBe(1)
    old.close()
    const ws = Workspace.open(t.dir)
    expect(ws.getSetting('keep')).toBe('me')
    expect(ws.schemaVersion).toBe(Math.max(...MIGRATIONS.map((m) => m.version)))
    ws.close()
    t.cleanup()
  })

  it('refuses a workspace from a newer version and a file that is not a database', () => {
    const t = tmpDir()
    const ws = Workspace.open(t.dir)
    ws.db.pragma('user_version = 999')
    ws.close()
    expect(() => Workspace.open(t.dir)).toThrow(/newer than this app/)
    const t2 = tmpDir()
    fs.writeFileSync(path.join(t2.dir, DB_FILE), 'this is not sqlite, just text that is long enough to be read as a header')
    let err: unknown
    try {
      Workspace.open(t2.dir)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_INPUT')
    expect((err as AppError).message).toContain(DB_FILE)
    t.cleanup()
    t2.cleanup()
  })

  it('rolls back a failed transaction completely', () => {
    const t = tmpDir()
    const ws = Workspace.open(t.dir)
    expect(() =>
      ws.tx(() => {
        ws.setSetting('a', '1')
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(ws.getSetting('a')).toBeUndefined()
    ws.close()
    t.cleanup()
  })

  it('stores arrays by content hash, atomically, and detects corruption', () => {
    const t = tmpDir()
    const ws = Workspace.open(t.dir)
    const bytes = new Uint8Array([1, 2, 3, 4, 5])
    const { sha256 } = ws.arrays.put(bytes)
    expect(sha256).toBe('74f81fe167d99b4cb41d6d0ccda82278caee9f3e2f25d5e5a3936ff3dcec60d0')
    expect([...ws.arrays.get(sha256)]).toEqual([1, 2, 3, 4, 5])
    expect(ws.arrays.verify(sha256, 5)).toEqual({ ok: true })
    fs.writeFileSync(ws.arrays.pathOf(sha256), new Uint8Array([1, 2, 3, 4, 6]))
    expect(ws.arrays.verify(sha256, 5)).toEqual({ ok: false, problem: 'hash mismatch' })
    expect(ws.arrays.verify(sha256, 6).ok).toBe(false)
    expect(fs.readdirSync(path.dirname(ws.arrays.pathOf(sha256))).filter((f) => f.endsWith('.tmp'))).toEqual([])
    ws.close()
    t.cleanup()
  })

  it('putAsync stores exactly what put would, and both fail cleanly naming the file when the store cannot be written', async () => {
    const t = tmpDir()
    const ws = Workspace.open(t.dir)
    const bytes = new Uint8Array([9, 8, 7, 6])
    const a = await ws.arrays.putAsync(bytes)
    expect(a).toEqual({ sha256: crypto.createHash('sha256').update(bytes).digest('hex'), bytes: 4 })
    expect([...ws.arrays.get(a.sha256)]).toEqual([9, 8, 7, 6])
    expect(ws.arrays.put(bytes)).toEqual(a)
    // A shard directory that is a file: neither writer can create its temporary file there.
    const blocked = new Uint8Array([1, 1, 2, 3, 5, 8])
    const sha = crypto.createHash('sha256').update(blocked).digest('hex')
    fs.writeFileSync(path.join(t.dir, 'arrays', sha.slice(0, 2)), 'not a directory')
    expect(() => ws.arrays.put(blocked)).toThrow(new RegExp(sha.slice(0, 2)))
    await expect(ws.arrays.putAsync(blocked)).rejects.toThrow(new RegExp(sha.slice(0, 2)))
    expect(fs.readdirSync(path.join(t.dir, 'arrays'), { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([])
    ws.close()
    t.cleanup()
  })

  it('caches file hashes by path, size and mtime', () => {
    const t = tmpDir()
    const ws = Workspace.open(path.join(t.dir, 'ws'))
    const f = path.join(t.dir, 'w.bin')
    fs.writeFileSync(f, 'abc')
    const a = fileSha256(ws, f)
    expect(a).toMatchObject({ sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', cached: false })
    expect(fileSha256(ws, f).cached).toBe(true)
    fs.writeFileSync(f, 'abcd')
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000))
    const c = fileSha256(ws, f)
    expect(c.cached).toBe(false)
    expect(c.sha256).toBe('88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589')
    ws.close()
    t.cleanup()
  })
})
