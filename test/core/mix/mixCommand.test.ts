import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliContext } from '../../helpers/cliContext'
import { command } from '../../../src-main/cli/commands/mix'
import { PAPER_TABLES } from '../../helpers/fixtures'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mix-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const ctx = (positional: string[], flags: Record<string, string | true> = {}) => cliContext(positional, flags)

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('mix command', () => {
  it('paper grid: contract keys, best observed 60 / 15 → 32.7, quadratic fit', async () => {
    const r = await command.run(ctx([path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv')], { resamples: '50' }))
    const j = r.json as Json
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['rows', 'best_observed', 'fit', 'warnings']))
    expect(j.rows).toBe(30)
    expect(j.best_observed).toEqual({ reasoning_pct: 60, visual_pct: 15, avg_vqa: 32.7 })
    expect(Object.keys(j.fit)).toEqual(expect.arrayContaining(['kind', 'r2', 'optimum', 'coefficients']))
    expect(j.fit.kind).toBe('quadratic')
    expect(j.fit.r2).toBeCloseTo(0.79396, 4)
    expect(Object.keys(j.fit.optimum)).toEqual(expect.arrayContaining(['x', 'y', 'predicted']))
    expect(j.fit.optimum.x).toBeCloseTo(66.104, 2)
    expect(j.x).toBe('reasoning_pct')
    expect(j.target).toBe('avg_vqa')
    expect(j.warnings).toEqual([])
    expect(r.text).toMatch(/best observed: 60 \/ 15 → 32\.7/)
    JSON.parse(JSON.stringify(j))
  })

  it('paper recipes with --sources: v_acc target, ranks with the printed rank, mix7–mix10 flagged', async () => {
    const r = await command.run(
      ctx([path.join(PAPER_TABLES, 'lsbs_recipes.csv')], { sources: path.join(PAPER_TABLES, 'lsbs_source_categories.csv'), direction: 'ppl:lower', resamples: '0' }),
    )
    const j = r.json as Json
    expect(j.target).toBe('v_acc')
    expect(j.best_observed.recipe).toBe('mix10')
    expect(j.derived_shares.disagreeing).toEqual(['mix7', 'mix8', 'mix9', 'mix10'])
    expect(j.x).toBe('reasoning (derived)')
    expect(j.table.map((t: Json) => t.rank_as_given)).toEqual([5, 4, 8, 9, 10, 6, 1, 3, 2, 7, 11])
    expect(j.ranking.method).toBe('mean-rank')
    expect(j.warnings.some((w: string) => /mix7, mix8, mix9, mix10/.test(w))).toBe(true)
    expect(j.warnings.some((w: string) => /nearly collinear/.test(w))).toBe(true)
  })

  it('--target, --x/--y and bad input give clear errors', async () => {
    const grid = path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv')
    await expect(command.run(ctx([grid], { target: 'nope' }))).rejects.toThrow('target: no column "nope" (columns: reasoning_pct, visual_pct, avg_vqa)')
    await expect(command.run(ctx([]))).rejects.toThrow(/expected a table file/)
    await expect(command.run(ctx([grid], { method: 'vote' }))).rejects.toThrow(/mean-rank or weighted-score/)
    await expect(command.run(ctx([grid], { direction: 'zzz:lower' }))).rejects.toThrow(/^directions: no numeric column "zzz"/)
    const over = path.join(tmp, 'over.csv')
    fs.writeFileSync(over, 'reasoning,visual,score\n50,5,1\n160,10,2\n60,15,3\n')
    await expect(command.run(ctx([over]))).rejects.toThrow('over.csv: row 3, column "reasoning": share 160 is outside [0, 100]')
    const swapped = await command.run(ctx([grid], { x: 'visual_pct', y: 'reasoning_pct', resamples: '0' }))
    expect((swapped.json as Json).fit.optimum.y).toBeCloseTo(66.104, 2)
  })
})
