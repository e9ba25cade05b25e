import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { SHAPES } from '../../helpers/fixtures'
import { ISO_TIME, type Cases, type Harness } from '../harness'
import { DEMO_ALIGN } from './align'

const MAP_SUMMARY_SHAPE = {
  id: expect.stringMatching(/^map_[0-9a-f]{12}$/),
  featureSet: expect.any(String),
  modelName: expect.any(String),
  datasetId: expect.any(String),
  layer: expect.any(Number),
  layerName: expect.any(String),
  nTotal: expect.any(Number),
  params: { sample: { mode: expect.any(String), size: expect.toBeOneOf([expect.any(Number), null]), seed: expect.any(Number) }, nNeighbors: expect.any(Number), minDist: expect.any(Number), seed: expect.any(Number), epochs: expect.any(Number) },
  knnK: expect.any(Number),
  ep: expect.toBeOneOf([expect.any(String), null]),
  seconds: expect.any(Number),
  createdAt: ISO_TIME,
}

/** The demo's two item maps (vision model first), each of all 256 items. */
async function demoMaps(h: Harness): Promise<[string, string]> {
  const maps = (await h.inProcess.call('maps.list', {})).filter((m) => m.nTotal === 256 && m.params.sample.mode === 'all')
  const of = (name: string): string => maps.find((m) => m.modelName === name)!.id
  return [of('vit-tiny'), of('gpt-tiny')]
}

/** A small map the cases may delete and make again: 24 random items of the vision model. */
async function scratchMap(h: Harness): Promise<string> {
  const r = await h.runJob('umap', { modelId: h.model('vit-tiny').id, datasetId: h.dataset.id, sample: { mode: 'random', size: 24, seed: 3 }, nNeighbors: 5 })
  return r.map
}

/** Item and model maps, the colour experiment, reports, the GPU panel and the welcome screen. */
export const VIEWS_CASES: Cases<
  'maps.list' | 'maps.get' | 'maps.neighbours' | 'maps.thumbnail' | 'maps.remove' | 'maps.models' | 'colour.latest' | 'report.html' | 'report.file' | 'gpu.status' | 'welcome.dismiss'
> = {
  'maps.list': async (h) => {
    const list = await h.same('maps.list', {})
    for (const m of list) expect(m).toEqual(MAP_SUMMARY_SHAPE)
    const [vit, gpt] = await demoMaps(h)
    expect(list.find((m) => m.id === vit)).toMatchObject({ modelName: 'vit-tiny', datasetId: h.dataset.id, knnK: 10 })
    expect(list.find((m) => m.id === gpt)).toMatchObject({ modelName: 'gpt-tiny', datasetId: h.dataset.id })
    expect((await h.sameError('maps.list', { datasetId: h.dataset.id })).message).toBe('maps.list: datasetId: unknown argument')
  },

  'maps.get': async (h) => {
    const [vit] = await demoMaps(h)
    const m = await h.same('maps.get', { id: vit })
    expect(m).toEqual({ ...MAP_SUMMARY_SHAPE, id: vit, indices: expect.any(Array), coords: expect.any(Array), knn: expect.any(Array), items: expect.any(Array) })
    expect(m.indices).toHaveLength(256)
    expect(m.coords).toHaveLength(2 * 256)
    expect(m.knn).toHaveLength(256 * m.knnK)
    const page = await h.inProcess.call('datasets.items', { id: h.dataset.id, limit: 256 })
    m.items.forEach((it, row) => {
      const d = page.items[m.indices[row]!]!
      expect(it).toEqual({ index: m.indices[row], id: d.id, caption: d.caption, attributes: d.attributes })
    })
    expect(await h.sameError('maps.get', { id: 'map_nope' })).toMatchObject({ code: 'NOT_FOUND' })
  },

  'maps.neighbours': async (h) => {
    const [vit, gpt] = await demoMaps(h)
    const selected = [0, 7, 255]
    const panel = await h.same('maps.neighbours', { a: vit, b: gpt, selected })
    expect(panel).toEqual({ k: 10, rows: expect.any(Array), meanOverlap: expect.any(Number), missing: [] })
    // Each row lists the stored neighbours of that item in each map, and their overlap.
    const [A, B] = [await h.inProcess.call('maps.get', { id: vit }), await h.inProcess.call('maps.get', { id: gpt })]
    const stored = (m: typeof A, item: number): number[] => {
      const row = m.indices.indexOf(item)
      return m.knn.slice(row * m.knnK, row * m.knnK + 10)
    }
    expect(panel.rows.map((r) => r.index)).toEqual(selected)
    for (const r of panel.rows) {
      expect(r.a).toEqual(stored(A, r.index))
      expect(r.b).toEqual(stored(B, r.index))
      expect(r.shared).toEqual(r.a.filter((x) => r.b.includes(x)))
      expect(r.overlap).toBeCloseTo(r.shared.length / 10, 12)
    }
    expect(panel.meanOverlap).toBeCloseTo(panel.rows.reduce((s, r) => s + r.overlap, 0) / 3, 12)
    expect(await h.sameError('maps.neighbours', { a: vit, b: gpt, selected: [-1] })).toEqual({ code: 'BAD_INPUT', message: 'maps.neighbours: selected[0]: must be >= 0, got -1' })
  },

  'maps.thumbnail': async (h) => {
    const t = await h.same('maps.thumbnail', { datasetId: h.dataset.id, index: 3 })
    const [item] = (await h.inProcess.call('datasets.items', { id: h.dataset.id, offset: 3, limit: 1 })).items
    expect(t).toEqual({ dataUrl: `data:image/png;base64,${fs.readFileSync(path.join(SHAPES, item!.image!)).toString('base64')}`, caption: item!.caption })
    expect(await h.sameError('maps.thumbnail', { datasetId: h.dataset.id, index: 256 })).toEqual({ code: 'NOT_FOUND', message: 'shapes-256: no item 256' })
  },

  'maps.remove': async (h) => {
    const id = await scratchMap(h)
    // A map's id comes from its parameters, so making it again gives the HTTP call the same id to remove.
    const r = await h.both('maps.remove', { id }, { between: async () => void (await scratchMap(h)) })
    expect(r).toEqual([{ removed: true }, { removed: true }])
    expect(await h.same('maps.remove', { id })).toEqual({ removed: false })
    expect(await h.sameError('maps.remove', { id: null })).toEqual({ code: 'BAD_INPUT', message: 'maps.remove: id: expected a string, got null' })
  },

  'maps.models': async (h) => {
    const names = ['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny', 'gpt-tiny (external data)']
    const modelIds = names.map((n) => h.model(n).id)
    const r = await h.same('maps.models', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN })
    expect(r).toMatchObject({ method: 'mds', seed: 0, missing: [], modelIds, nNeighbors: null })
    expect(r.points.map((p) => p.name)).toEqual(names)
    // Distances are 1 - score of the stored alignments, symmetric with a zero diagonal.
    const m = await h.inProcess.call('align.matrix', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN })
    const n = names.length
    expect([r.distances.rows, r.distances.cols]).toEqual([n, n])
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const d = r.distances.data[i * n + j]!
        if (i === j) expect(d).toBe(0)
        else expect(d).toBeCloseTo(Math.min(1, Math.max(0, 1 - (m.cells[i]![j] ?? m.cells[j]![i])!.score)), 12)
      }
    }
    // The demo calibrates mutual_knn: the calibrated map's distances are 1 − s_cal.
    const cal = await h.same('maps.models', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN, scores: 'calibrated' })
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (i !== j) expect(cal.distances.data[i * n + j]).toBeCloseTo(1 - (m.cells[i]![j] ?? m.cells[j]![i])!.calibration!.score, 12)
    }
    // cycle_knn is not calibrated in the demo: the calibrated map says what is missing.
    const missing = await h.sameError('maps.models', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN, metric: 'cycle_knn', scores: 'calibrated' })
    expect(missing).toEqual({ code: 'BAD_INPUT', message: expect.stringContaining('run the sweep with Calibration K > 0') })
    expect(await h.sameError('maps.models', { modelIds, datasetId: h.dataset.id, ...DEMO_ALIGN, method: 'tsne' })).toEqual({ code: 'BAD_INPUT', message: 'maps.models: method: expected one of auto, mds, umap, got "tsne"' })
  },

  'colour.latest': async (h) => {
    const run = await h.same('colour.latest', {})
    expect(run).toEqual({
      id: expect.any(String),
      params: { textModel: 'gpt-tiny', visionModel: 'vit-tiny', imageDir: expect.toBeOneOf([expect.any(String), null]), permutations: 500, seed: 0 },
      result: expect.any(Object),
      seconds: expect.any(Number),
      createdAt: ISO_TIME,
    })
    expect(run!.result.terms.length).toBe(run!.result.cielab.length)
    expect(run!.result.mutualKnn.chance).toBeCloseTo(run!.result.mutualKnn.k / (run!.result.terms.length - 1), 12)
    expect((await h.sameError('colour.latest', { limit: 1 })).message).toBe('colour.latest: limit: unknown argument')
  },

  'report.html': async (h) => {
    // Two renderings differ in the time stated and in ECharts' per-process chart counters inside SVG ids
    // and class names (renumbered here in order of first use); nothing else may differ.
    const comparable = (r: { html: string; sections: string[] }) => {
      const ids = new Map<string, number>()
      const html = r.html
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, '<time>')
        .replace(/(c\d+-)?zr\d+-[a-z]+-?\d+/g, (c) => `svg-${ids.get(c) ?? ids.set(c, ids.size).size - 1}`)
      return { ...r, html }
    }
    const r = await h.same('report.html', { sections: ['alignment', 'provenance'], paper: 'Letter' }, comparable)
    expect(r.sections).toEqual(['alignment', 'provenance'])
    expect(r.html).toMatch(/^<!DOCTYPE html>/)
    expect(r.html).not.toMatch(/<script/i)
    expect(r.html).toContain(h.model('vit-tiny').sha256)
    expect(r.html).toContain('@page { size: letter;')
    expect(await h.sameError('report.html', { paper: 'A3' })).toEqual({ code: 'BAD_INPUT', message: 'report.html: paper: expected one of A4, Letter, got "A3"' })
  },

  'report.file': async (h) => {
    // A report job prints with Chromium (tested with the report job); the call only reads its output folder.
    const bytes = Buffer.from('%PDF-1.4\n% contract test\n%%EOF\n')
    const dir = path.join(h.backend.ws.dir, 'reports')
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'contract.pdf'), bytes)
    expect(await h.same('report.file', { name: 'contract.pdf' })).toEqual({ name: 'contract.pdf', base64: bytes.toString('base64') })
    expect(await h.sameError('report.file', { name: '../contract.pdf' })).toEqual({ code: 'BAD_INPUT', message: '../contract.pdf: not a report file name' })
    expect(await h.sameError('report.file', { name: 'none.pdf' })).toEqual({ code: 'NOT_FOUND', message: 'none.pdf: no such report' })
  },

  'gpu.status': async (h) => {
    // Probe durations differ from one probe to the next; everything else must match.
    const untimed = (s: { providers: { ms: number | null }[] }) => ({ ...s, providers: s.providers.map((p) => ({ ...p, ms: p.ms === null ? null : 'timed' })) })
    const s = await h.same('gpu.status', {}, untimed)
    expect(s).toEqual({ platform: process.platform, arch: process.arch, ortVersion: expect.any(String), autoOrder: expect.any(Array), autoPicks: expect.any(String), providers: expect.any(Array) })
    expect(s.providers.map((p) => p.ep)).toEqual(['cuda', 'dml', 'coreml', 'webgpu', 'cpu'])
    expect(s.providers.find((p) => p.ep === 'cpu')).toMatchObject({ usable: true, reason: null })
    expect(s.providers.find((p) => p.ep === s.autoPicks)?.usable).toBe(true)
    expect((await h.sameError('gpu.status', { refresh: true })).message).toBe('gpu.status: refresh: unknown argument')
  },

  'welcome.dismiss': async (h) => {
    expect(await h.same('welcome.dismiss', {})).toEqual({ ok: true })
    expect(h.backend.ws.getSetting('welcome.dismissed')).toBe('1')
    expect((await h.inProcess.call('app.info', {})).firstRun).toBe(false)
    expect(await h.sameError('welcome.dismiss', null)).toEqual({ code: 'BAD_INPUT', message: 'welcome.dismiss: arguments: expected an object, got null' })
  },
}
