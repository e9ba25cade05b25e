import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { deleteMixtureTable, getMixtureTable, importMixtureTable, listMixtureTables } from '../../../src-main/core/mix/mixtureStore'
import { Workspace } from '../../../src-main/core/store/workspace'
import { PAPER_TABLES } from '../../helpers/fixtures'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mix-store-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('mixture table store', () => {
  it('imports, lists, reloads identically, dedupes re-imports and deletes', async () => {
    const ws = Workspace.open(path.join(tmp, 'ws'))
    try {
      const grid = await importMixtureTable(ws, path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv'))
      const rec = await importMixtureTable(ws, path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
      expect(grid).toMatchObject({ name: 'lsbs_mixture_grid.csv', kind: 'grid', format: 'csv', rows: 30 })
      expect(grid.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(rec.kind).toBe('recipes')
      expect(await importMixtureTable(ws, path.join(PAPER_TABLES, 'lsbs_recipes.csv'))).toEqual(rec)
      expect(listMixtureTables(ws).map((t) => t.id).sort()).toEqual([grid.id, rec.id].sort())
      const got = getMixtureTable(ws, rec.id)
      expect(got.layout.shares).toHaveLength(6)
      expect(got.table.rows[10]).toMatchObject({ recipe: 'mix10', v_acc: 33.4, overall_rank: 11 })
      expect(got.table.decimals.ppl).toBe(2)
      expect(deleteMixtureTable(ws, rec.id)).toBe(true)
      expect(deleteMixtureTable(ws, rec.id)).toBe(false)
      expect(() => getMixtureTable(ws, rec.id)).toThrow(/not in this workspace/)
      expect(listMixtureTables(ws)).toHaveLength(1)
    } finally {
      ws.close()
    }
  })

  it('rejects a malformed file without storing anything', async () => {
    const ws = Workspace.open(path.join(tmp, 'ws2'))
    try {
      const bad = path.join(tmp, 'bad.csv')
      fs.writeFileSync(bad, 'recipe,web,code,v_acc\nm0,50,50,x1\nm1,50,50,3\nm2,40,60,2\n')
      await expect(importMixtureTable(ws, bad)).rejects.toThrow('bad.csv: row 2 (m0), column "v_acc": expected a number, got "x1"')
      expect(listMixtureTables(ws)).toEqual([])
    } finally {
      ws.close()
    }
  })
})
