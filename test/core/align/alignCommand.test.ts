import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { command } from '../../../src-main/cli/commands/align'
import { cliContext } from '../../helpers/cliContext'
import { Workspace } from '../../../src-main/core/store/workspace'
import { FIXTURES } from '../../helpers/fixtures'

const DIR = path.join(FIXTURES, 'align')

const context = (positional: string[], flags: Record<string, string | true>, ws: Workspace) => cliContext(positional, flags, () => ws)

describe('cli align', () => {
  it('matches the official reference, stores the run and answers an identical request from the cache', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-cli-'))
    const ws = Workspace.open(dir)
    try {
      const ref = JSON.parse(fs.readFileSync(path.join(DIR, 'reference.json'), 'utf8')).cases.find((c: { name: string }) => c.name === 'layers3d')
      const args = [path.join(DIR, 'layers3d_a.npy'), path.join(DIR, 'layers3d_b.npy')]
      const flags = { metrics: 'mutual_knn,cka', k: '5', prep: 'clamp-exact', backend: 'reference' }
      const out = await command.run(context(args, flags, ws))
      const json = out.json as { metrics: Record<string, { score: number; layers: number[] }>; cached: boolean; ep: string; n: number }
      expect(json.n).toBe(36)
      expect(json.ep).toBe('reference')
      expect(json.cached).toBe(false)
      expect(json.metrics.mutual_knn!.score).toBeCloseTo(ref.result.mutual_knn.score, 6)
      expect(json.metrics.cka!.layers).toEqual(ref.result.cka.layers)
      expect(out.text).toMatch(/mutual_knn\s+0\.\d{4}\s+2, 3/)
      const again = await command.run(context(args, flags, ws))
      expect((again.json as { cached: boolean }).cached).toBe(true)
      expect((again.json as { metrics: unknown }).metrics).toEqual(json.metrics)
      const rows = ws.db.prepare('SELECT COUNT(*) AS c FROM alignments').get() as { c: number }
      expect(rows.c).toBe(2)
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('bad input: missing file, bad flag values', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'align-cli-'))
    const ws = Workspace.open(dir)
    try {
      const a = path.join(DIR, 'pair2d_a.npy')
      await expect(command.run(context([a, 'nope.npy'], {}, ws))).rejects.toMatchObject({ code: 'BAD_INPUT', message: 'nope.npy: no such file or feature set' })
      await expect(command.run(context([a, a], { k: 'ten' }, ws))).rejects.toMatchObject({ code: 'BAD_INPUT', message: '--k: expected a whole number, got "ten"' })
      await expect(command.run(context([a], {}, ws))).rejects.toMatchObject({ code: 'BAD_INPUT' })
      await expect(command.run(context([a, path.join(DIR, 'layers3d_a.npy')], {}, ws))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/has 36 items but .*pair2d_a\.npy has 48/) })
    } finally {
      ws.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
