import path from 'node:path'
import { expect } from 'vitest'
import { BROKEN_MODELS, FIXTURES, MODELS, SHAPES } from '../../helpers/fixtures'
import { ISO_TIME, SHA256, type Cases } from '../harness'

const RESNET = path.join(FIXTURES, 'cnn', 'resnet-tiny')
const CNN_DATASET = path.join(FIXTURES, 'cnn', 'dataset')

const MODEL_SHAPE = {
  id: expect.any(String),
  name: expect.any(String),
  path: expect.any(String),
  format: expect.stringMatching(/^onnx-(folder|file)$/),
  modality: expect.stringMatching(/^(vision|text|unknown)$/),
  sha256: SHA256,
  bytes: expect.any(Number),
  tags: expect.any(Object),
  capabilities: expect.any(Object),
  info: expect.any(Object),
  addedAt: ISO_TIME,
}

const DATASET_SHAPE = {
  id: expect.any(String),
  name: expect.any(String),
  path: expect.any(String),
  format: expect.any(String),
  n: expect.any(Number),
  hasImages: expect.any(Boolean),
  hasText: expect.any(Boolean),
  sha256: SHA256,
  bytes: expect.any(Number),
  info: expect.any(Object),
  addedAt: ISO_TIME,
}

/** App, workspace, model and dataset registry, and the demo: the calls every view starts with. */
export const REGISTRY_CASES: Cases<
  'app.info' | 'workspace.summary' | 'models.list' | 'models.add' | 'models.update' | 'models.remove' | 'datasets.list' | 'datasets.add' | 'datasets.items' | 'datasets.remove' | 'demo.open'
> = {
  'app.info': async (h) => {
    const info = await h.same('app.info', {})
    expect(info).toEqual({
      name: 'Platonic Lab',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      dataDir: h.backend.ws.dir,
      mode: 'browser',
      platform: process.platform,
      arch: expect.any(String),
      firstRun: false,
    })
    const e = await h.sameError('app.info', { surprise: 1 })
    expect(e).toEqual({ code: 'BAD_INPUT', message: 'app.info: surprise: unknown argument' })
  },

  'workspace.summary': async (h) => {
    const s = await h.same('workspace.summary', {})
    expect(s).toEqual({
      dataDir: h.backend.ws.dir,
      schemaVersion: expect.any(Number),
      models: (await h.inProcess.call('models.list', {})).length,
      datasets: (await h.inProcess.call('datasets.list', {})).length,
      featureSets: (await h.inProcess.call('features.list', {})).length,
      alignments: expect.any(Number),
      evalRuns: (await h.inProcess.call('eval.list', {})).length,
      mixtureTables: (await h.inProcess.call('mix.list', {})).length,
      isEmpty: false,
      demoLoaded: true,
    })
    expect(s.alignments).toBeGreaterThan(0)
    const e = await h.sameError('workspace.summary', [])
    expect(e).toEqual({ code: 'BAD_INPUT', message: 'workspace.summary: arguments: expected an object, got array' })
  },

  'models.list': async (h) => {
    const list = await h.same('models.list', {})
    for (const m of list) expect(m).toEqual(MODEL_SHAPE)
    expect(list.map((m) => m.name)).toEqual(expect.arrayContaining(['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny', 'gpt-tiny (external data)']))
    expect(h.model('vit-tiny')).toMatchObject({ modality: 'vision', path: path.join(MODELS, 'vit-tiny'), tags: { family: 'vit' } })
    expect((await h.sameError('models.list', { surprise: 1 })).message).toBe('models.list: surprise: unknown argument')
  },

  'models.add': async (h) => {
    // Registering a folder again refreshes the same entry, so the second transport gets the same model.
    const m = await h.same('models.add', { path: RESNET, name: 'resnet (contract)' })
    expect(m).toEqual({ ...MODEL_SHAPE, name: 'resnet (contract)', path: RESNET, modality: 'vision', format: 'onnx-folder' })
    expect((await h.inProcess.call('models.list', {})).filter((x) => x.path === RESNET)).toHaveLength(1)
    const notOnnx = path.join(BROKEN_MODELS, 'not-onnx.onnx')
    const e = await h.sameError('models.add', { path: notOnnx })
    expect(e.code).toBe('BAD_INPUT')
    expect(e.message).toContain('not-onnx.onnx')
    expect(await h.sameError('models.add', { path: 42 })).toEqual({ code: 'BAD_INPUT', message: 'models.add: path: expected a string, got number' })
    expect(await h.sameError('models.add', { path: '' })).toEqual({ code: 'BAD_INPUT', message: 'models.add: path: must not be empty' })
  },

  'models.update': async (h) => {
    const { id } = await h.inProcess.call('models.add', { path: RESNET })
    const m = await h.same('models.update', { id, tags: { family: 'resnet', size: 'tiny' }, capabilities: { acc: 0.25 } })
    expect(m).toEqual({ ...MODEL_SHAPE, id, path: RESNET, tags: { family: 'resnet', size: 'tiny' }, capabilities: { acc: 0.25 } })
    expect(await h.sameError('models.update', { id: 'm_nope', name: 'x' })).toMatchObject({ code: 'NOT_FOUND' })
    expect(await h.sameError('models.update', { id, capabilities: { acc: 'high' } })).toEqual({
      code: 'BAD_INPUT',
      message: 'models.update: capabilities.acc: expected a finite number, got string',
    })
  },

  'models.remove': async (h) => {
    // Each transport removes a registration of its own; a second removal finds nothing.
    const viaInProcess = await h.inProcess.call('models.add', { path: RESNET })
    expect(await h.inProcess.call('models.remove', { id: viaInProcess.id })).toEqual({ removed: true })
    const viaHttp = await h.inProcess.call('models.add', { path: RESNET })
    expect(await h.http.call('models.remove', { id: viaHttp.id })).toEqual({ removed: true })
    expect(await h.same('models.remove', { id: viaHttp.id })).toEqual({ removed: false })
    expect((await h.inProcess.call('models.list', {})).some((x) => x.path === RESNET)).toBe(false)
    expect(await h.sameError('models.remove', {})).toEqual({ code: 'BAD_INPUT', message: 'models.remove: id: expected a string, got undefined' })
  },

  'datasets.list': async (h) => {
    const list = await h.same('datasets.list', {})
    for (const d of list) expect(d).toEqual(DATASET_SHAPE)
    expect(list).toContainEqual({ ...DATASET_SHAPE, id: h.dataset.id, name: 'shapes-256', path: SHAPES, n: 256, hasImages: true, hasText: true })
    expect(await h.sameError('datasets.list', 'all')).toEqual({ code: 'BAD_INPUT', message: 'datasets.list: arguments: expected an object, got string' })
  },

  'datasets.add': async (h) => {
    const d = await h.same('datasets.add', { path: SHAPES })
    expect(d).toEqual({ ...DATASET_SHAPE, id: h.dataset.id, name: 'shapes-256', path: SHAPES, n: 256, hasImages: true, hasText: true })
    const missing = await h.sameError('datasets.add', { path: path.join(FIXTURES, 'bad', 'datasets', 'missing-image') })
    expect(missing.code).toBe('BAD_INPUT')
    expect(missing.message).toContain('missing-image')
    expect(await h.sameError('datasets.add', { path: SHAPES, name: 7 })).toEqual({ code: 'BAD_INPUT', message: 'datasets.add: name: expected a string, got number' })
  },

  'datasets.items': async (h) => {
    const page = await h.same('datasets.items', { id: h.dataset.id, offset: 2, limit: 3 })
    expect(page.total).toBe(256)
    expect(page.items.map((i) => [i.index, i.id])).toEqual([
      [2, '002'],
      [3, '003'],
      [4, '004'],
    ])
    for (const it of page.items) {
      expect(it).toEqual({ index: expect.any(Number), id: expect.any(String), caption: expect.stringMatching(/^a (small|medium|large) /), image: path.join('images', `${it.id}.png`), attributes: expect.any(Object) })
    }
    expect(await h.sameError('datasets.items', { id: h.dataset.id, limit: 0 })).toEqual({ code: 'BAD_INPUT', message: 'datasets.items: limit: must be >= 1, got 0' })
    expect(await h.sameError('datasets.items', { id: h.dataset.id, offset: 1.5 })).toEqual({ code: 'BAD_INPUT', message: 'datasets.items: offset: expected an integer, got 1.5' })
    expect(await h.sameError('datasets.items', { id: 'd_nope' })).toMatchObject({ code: 'NOT_FOUND' })
  },

  'datasets.remove': async (h) => {
    const viaInProcess = await h.inProcess.call('datasets.add', { path: CNN_DATASET, name: 'cnn images' })
    expect(await h.inProcess.call('datasets.remove', { id: viaInProcess.id })).toEqual({ removed: true })
    const viaHttp = await h.inProcess.call('datasets.add', { path: CNN_DATASET, name: 'cnn images' })
    expect(await h.http.call('datasets.remove', { id: viaHttp.id })).toEqual({ removed: true })
    expect(await h.same('datasets.remove', { id: viaHttp.id })).toEqual({ removed: false })
    expect((await h.inProcess.call('datasets.list', {})).map((d) => d.id)).toEqual([h.dataset.id])
    expect(await h.sameError('datasets.remove', { id: '' })).toEqual({ code: 'BAD_INPUT', message: 'datasets.remove: id: must not be empty' })
  },

  'demo.open': async (h) => {
    // Registering the demo again refreshes the same entries: nothing is added the second time.
    const before = await h.inProcess.call('workspace.summary', {})
    const s = await h.same('demo.open', {})
    expect(s).toEqual(before)
    expect(s).toMatchObject({ demoLoaded: true, isEmpty: false })
    expect(await h.sameError('demo.open', { force: true })).toEqual({ code: 'BAD_INPUT', message: 'demo.open: force: unknown argument' })
  },
}
