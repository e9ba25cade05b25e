import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Workspace } from '../../../src-main/core/store/workspace'
import { verifyWorkspace } from '../../../src-main/core/store/verify'
import { tmpDir } from '../../helpers/tmp'

describe('verifyWorkspace --repair and files being written', () => {
  it('spares a fresh unreferenced array (a concurrent extraction may be about to record it) and removes an old one', () => {
    const t = tmpDir()
    const ws = Workspace.open(t.dir)
    const fresh = ws.arrays.put(new Uint8Array([1, 2, 3])).sha256
    const old = ws.arrays.put(new Uint8Array([4, 5, 6])).sha256
    const hourAgo = new Date(Date.now() - 3600_000)
    fs.utimesSync(ws.arrays.pathOf(old), hourAgo, hourAgo)
    const r = verifyWorkspace(ws, { repair: true })
    expect(r.ok).toBe(true)
    expect(ws.arrays.has(fresh)).toBe(true)
    expect(ws.arrays.has(old)).toBe(false)
    expect(r.repaired.join('\n')).toMatch(/removed 1 unreferenced array file/)
    ws.close()
    t.cleanup()
  })
})
