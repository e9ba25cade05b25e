import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { FIXTURES, PAPER_TABLES } from '../../helpers/fixtures'
import { ISO_TIME, SHA256, type Cases, type Harness } from '../harness'
import { DEMO_ALIGN } from './align'

const GRID = path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv')
const NOISE_GRID = path.join(FIXTURES, 'e2e-eval', 'noise_grid.csv')

const SUMMARY_SHAPE = {
  id: expect.stringMatching(/^mt_[0-9a-f]{16}$/),
  name: expect.any(String),
  path: expect.any(String),
  sha256: SHA256,
  format: expect.any(String),
  kind: expect.any(String),
  columns: expect.any(Array),
  rows: expect.any(Number),
  addedAt: ISO_TIME,
}

/** The grid's rows as numbers, read here without the app's table reader. */
function gridRows(): Record<string, number>[] {
  const [header, ...lines] = fs.readFileSync(GRID, 'utf8').trim().split('\n')
  const cols = header!.split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, Number(v)])))
}

async function gridId(h: Harness): Promise<string> {
  return (await h.inProcess.call('mix.import', { path: GRID })).id
}

/** Data-mixture analytics (Mixtures view). */
export const MIX_CASES: Cases<'mix.import' | 'mix.list' | 'mix.analyse' | 'mix.remove' | 'mix.alignment'> = {
  'mix.import': async (h) => {
    // A table is identified by its path and content: importing it again returns the stored one.
    const t = await h.same('mix.import', { path: NOISE_GRID })
    expect(t).toEqual({ ...SUMMARY_SHAPE, name: 'noise_grid.csv', path: NOISE_GRID, format: 'csv', kind: 'grid', columns: ['reasoning_pct', 'visual_pct', 'avg_vqa'], rows: 9 })
    const bad = path.join(FIXTURES, 'bad', 'mix', 'non-numeric.csv')
    const e = await h.sameError('mix.import', { path: bad })
    expect(e.code).toBe('BAD_INPUT')
    expect(e.message).toContain('non-numeric.csv')
    expect(await h.sameError('mix.import', { path: ['a.csv'] })).toEqual({ code: 'BAD_INPUT', message: 'mix.import: path: expected a string, got array' })
  },

  'mix.list': async (h) => {
    const id = await gridId(h)
    const list = await h.same('mix.list', {})
    for (const t of list) expect(t).toEqual(SUMMARY_SHAPE)
    expect(list.find((t) => t.id === id)).toMatchObject({ path: GRID, kind: 'grid', rows: gridRows().length })
    expect((await h.sameError('mix.list', { kind: 'grid' })).message).toBe('mix.list: kind: unknown argument')
  },

  'mix.analyse': async (h) => {
    const id = await gridId(h)
    const r = await h.same('mix.analyse', { id, target: 'avg_vqa', resamples: 20, seed: 1 })
    expect(Object.keys(r).sort()).toEqual(['analysis', 'summary', 'surface', 'table'])
    expect(r.summary).toEqual({ ...SUMMARY_SHAPE, id, path: GRID })
    expect(r.table).toEqual({ name: 'lsbs_mixture_grid.csv', columns: ['reasoning_pct', 'visual_pct', 'avg_vqa'], numeric: expect.any(Array), rows: expect.any(Array) })
    const rows = gridRows()
    const best = rows.reduce((a, b) => (b.avg_vqa! > a.avg_vqa! ? b : a))
    expect(r.analysis).toMatchObject({ rows: rows.length, kind: 'grid', target: 'avg_vqa', direction: 'higher', x: 'reasoning_pct', y: 'visual_pct', best_observed: best })
    expect(r.surface!.length).toBeGreaterThan(0)
    for (const p of r.surface!) expect(p).toEqual({ x: expect.any(Number), y: expect.any(Number), value: expect.any(Number) })
    expect(await h.sameError('mix.analyse', { id, resamples: 6000 })).toEqual({ code: 'BAD_INPUT', message: 'mix.analyse: resamples: must be <= 5000, got 6000' })
    expect(await h.sameError('mix.analyse', { id: 'mt_nope' })).toMatchObject({ code: 'NOT_FOUND' })
  },

  'mix.remove': async (h) => {
    const { id } = await h.inProcess.call('mix.import', { path: NOISE_GRID })
    // The id comes from path and content, so importing again between the calls gives the HTTP call the same id to remove.
    const r = await h.both('mix.remove', { id }, { between: async () => void (await h.inProcess.call('mix.import', { path: NOISE_GRID })) })
    expect(r).toEqual([{ removed: true }, { removed: true }])
    expect(await h.same('mix.remove', { id })).toEqual({ removed: false })
    expect(await h.sameError('mix.remove', { id: 3 })).toEqual({ code: 'BAD_INPUT', message: 'mix.remove: id: expected a string, got number' })
  },

  'mix.alignment': async (h) => {
    const gpt = h.model('gpt-tiny').id
    await h.inProcess.call('models.update', { id: gpt, capabilities: { ...h.model('gpt-tiny').capabilities, 'reasoning share (%)': 40 } })
    await h.inProcess.call('models.update', { id: h.model('gpt-tiny (external data)').id, tags: { ...h.model('gpt-tiny (external data)').tags, reasoning_share: '60%' } })
    const r = await h.same('mix.alignment', { datasetId: h.dataset.id, ...DEMO_ALIGN })
    expect(r).toMatchObject({ shareName: 'reasoning share (%)', textModels: 2, visionModels: expect.arrayContaining(['vit-tiny', 'vit-tiny (tapped)']), missing: [], chance: expect.closeTo(10 / 255, 12) })
    expect(r.mean.map((m) => [m.share, m.count])).toEqual([
      [40, 2],
      [60, 2],
    ])
    // Each mean is the mean of the stored scores of that language model against the vision models.
    const vision = ['vit-tiny', 'vit-tiny (tapped)'].map((n) => h.model(n).id)
    const m = await h.inProcess.call('align.matrix', { modelIds: [gpt, ...vision], datasetId: h.dataset.id, ...DEMO_ALIGN })
    expect(r.mean[0]!.score).toBeCloseTo((m.cells[0]![1]!.score + m.cells[0]![2]!.score) / 2, 12)
    expect(r.perVision.map((v) => v.visionModel).sort()).toEqual(['vit-tiny', 'vit-tiny (tapped)'])
    expect(await h.sameError('mix.alignment', { datasetId: h.dataset.id, ...DEMO_ALIGN, shareKey: '' })).toEqual({ code: 'BAD_INPUT', message: 'mix.alignment: shareKey: must not be empty' })
  },
}
