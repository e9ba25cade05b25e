import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { Workspace } from '../../src-main/core/store/workspace'
import { runJobInProcess } from '../../src-main/jobs/runInProcess'
import type { DemoResult } from '../../src-main/common/contract/jobs'
import type { ModelDto } from '../../src-main/common/contract/registry'
import { tmpDir } from '../helpers/tmp'

/**
 * The read side of the AppApi over a workspace where the demo job has run for real: stored alignments
 * come back as the model × model matrix, the model map and the alignment-versus-mixture link, and the
 * item maps answer linked-selection queries.
 */
describe('backend over the demo workspace', () => {
  const t = tmpDir()
  let b: Backend
  let models: ModelDto[]
  let datasetId: string
  let demo: DemoResult
  const params = { metric: 'mutual_knn' as const, k: 10, prep: 'clamp-exact' as const, q: 0.95, layersMode: 'max' as const }

  beforeAll(async () => {
    const ws = Workspace.open(t.dir)
    demo = await runJobInProcess(ws, 'demo', {}, () => undefined, new AbortController().signal)
    ws.close()
    b = new Backend({ dataDir: t.dir, mode: 'in-process' })
    models = await b.api['models.list']({})
    datasetId = (await b.api['datasets.list']({}))[0]!.id
  })
  afterAll(() => {
    b?.close()
    t.cleanup()
  })

  const byName = (n: string) => models.find((m) => m.name === n)!

  it('returns the result contract/jobs.ts names for the demo: what it stored, by id', async () => {
    const sets = await b.api['features.list']({})
    // Every model's features and every pair in both directions (cycle_knn and cknna are asymmetric).
    expect(demo).toMatchObject({ models: models.length, dataset: datasetId, sweep: { pairs: models.length * (models.length - 1), featureSets: expect.any(Array) } })
    expect(demo.sweep.computed + demo.sweep.reused).toBe(demo.sweep.pairs)
    // One feature set per model on shapes-256 (the colour step adds its own on colour words and swatches).
    expect(demo.sweep.featureSets).toHaveLength(models.length)
    for (const id of demo.sweep.featureSets) expect(sets.find((f) => f.id === id)).toMatchObject({ n: 256 })
    const maps = await b.api['maps.list']({})
    expect(demo['item maps'].map((m) => m.map).sort()).toEqual(maps.map((m) => m.id).sort())
    expect(demo['colour experiment'].run).toBe((await b.api['colour.latest']({}))!.id)
  })

  it('returns the stored model × model matrix with chance, N and best layers', async () => {
    const ids = ['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny'].map((n) => byName(n).id)
    const m = await b.api['align.matrix']({ modelIds: ids, datasetId, ...params })
    expect(m.n).toBe(256)
    expect(m.cells[0]![0]).toBeNull()
    // vit-tiny and its tapped copy are the same network: perfect alignment at the same layer.
    expect(m.cells[0]![1]!.score).toBeCloseTo(1, 12)
    expect(m.cells[0]![1]!.layers![0]).toBe(m.cells[0]![1]!.layers![1])
    // Stored once per unordered pair, answered in both orientations with the layer pair swapped.
    expect(m.cells[2]![0]!.score).toBe(m.cells[0]![2]!.score)
    expect(m.cells[2]![0]!.layers).toEqual([...m.cells[0]![2]!.layers!].reverse())
    expect(m.cells[0]![2]!.chance).toBeCloseTo(10 / 255, 12)
    expect(m.cells[0]![2]!.permutation).toMatchObject({ r: 50 })
    expect(m.cells[0]![2]!.score).toBeGreaterThan(m.cells[0]![2]!.permutation!.mean)
    const rec = await b.api['align.record']({ id: m.cells[0]![2]!.recordId })
    expect(rec.layersA.length).toBe(5)
    expect(rec.result.matrix!.length).toBe(5)
    expect(Math.max(...rec.result.matrix!.flat())).toBeCloseTo(rec.result.score, 12)
  })

  it('places identical models together on the model map', async () => {
    const ids = models.map((m) => m.id)
    const map = await b.api['maps.models']({ modelIds: ids, datasetId, ...params })
    expect(map.method).toBe('mds')
    const p = (n: string) => map.points.find((x) => x.name === n)!
    const d = (a: string, c: string) => Math.hypot(p(a).x - p(c).x, p(a).y - p(c).y)
    expect(d('vit-tiny', 'vit-tiny (tapped)')).toBeLessThan(1e-6)
    expect(d('gpt-tiny', 'gpt-tiny (external data)')).toBeLessThan(1e-6)
    expect(d('vit-tiny', 'gpt-tiny')).toBeGreaterThan(0.5)
    // The demo calibrates mutual_knn, so a calibrated map exists and keeps the identical models together.
    const cal = await b.api['maps.models']({ modelIds: ids, datasetId, ...params, scores: 'calibrated' })
    const pc = (n: string) => cal.points.find((x) => x.name === n)!
    expect(Math.hypot(pc('vit-tiny').x - pc('vit-tiny (tapped)').x, pc('vit-tiny').y - pc('vit-tiny (tapped)').y)).toBeLessThan(1e-6)
    // cycle_knn is not calibrated there: a calibrated map of it says what is missing.
    await expect(b.api['maps.models']({ modelIds: ids, datasetId, ...params, metric: 'cycle_knn', scores: 'calibrated' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/no calibrated cycle_knn between .* run the sweep with Calibration K > 0/) })
  })

  it('links alignment to each language model’s mixture share', async () => {
    const empty = await b.api['mix.alignment']({ datasetId, ...params })
    expect(empty.textModels).toBe(0)
    await b.api['models.update']({ id: byName('gpt-tiny').id, capabilities: { 'reasoning share (%)': 40 } })
    await b.api['models.update']({ id: byName('gpt-tiny (external data)').id, tags: { reasoning_share: '60%' } })
    const r = await b.api['mix.alignment']({ datasetId, ...params })
    expect(r.textModels).toBe(2)
    expect(r.mean.map((x) => x.share)).toEqual([40, 60])
    expect(r.perVision).toHaveLength(2)
    const m = await b.api['align.matrix']({ modelIds: [byName('gpt-tiny').id, byName('vit-tiny').id], datasetId, ...params })
    // Both vision models are the same network, so the mean equals the single score.
    expect(r.mean[0]!.score).toBeCloseTo(m.cells[0]![1]!.score, 12)
    expect(r.chance).toBeCloseTo(10 / 255, 12)
  })

  it('answers linked selection between the two item maps with neighbour overlaps', async () => {
    const maps = await b.api['maps.list']({})
    expect(maps.map((m) => m.modelName).sort()).toEqual(['gpt-tiny', 'vit-tiny'])
    const [a, c] = maps
    const detail = await b.api['maps.get']({ id: a!.id })
    expect(detail.coords.length).toBe(2 * 256)
    expect(detail.items[5]!.caption).toMatch(/^a /)
    const panel = await b.api['maps.neighbours']({ a: a!.id, b: c!.id, selected: [0, 1, 2] })
    expect(panel.rows).toHaveLength(3)
    for (const row of panel.rows) {
      expect(row.a).toHaveLength(panel.k)
      expect(row.shared).toEqual(row.a.filter((x) => row.b.includes(x)))
      expect(row.overlap).toBeCloseTo(row.shared.length / panel.k, 12)
    }
    const thumb = await b.api['maps.thumbnail']({ datasetId, index: 3 })
    expect(thumb.dataUrl).toMatch(/^data:image\/png;base64,/)
  })

  it('has a colour run and a report preview with every section', async () => {
    const run = await b.api['colour.latest']({})
    expect(run!.result.language!.length).toBe(5)
    expect(run!.result.cielab).toHaveLength(20)
    const r = await b.api['report.html']({})
    expect(r.sections).toEqual(expect.arrayContaining(['alignment', 'maps', 'mle', 'vqa', 'mixtures', 'colour', 'provenance']))
    expect(r.html).toContain(byName('vit-tiny').sha256)
    expect(r.html).not.toMatch(/<script/i)
    // Colour embeddings are aligned onto CIELAB, so their plots are labelled with its axes.
    expect(r.html).toMatch(/>a\*</)
    expect(r.html).toMatch(/>b\*</)
  })
})
