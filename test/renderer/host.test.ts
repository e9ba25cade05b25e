import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { ApiClient } from '../../src-main/common/client'
import { createDispatcher } from '../../src-main/common/dispatch'
import type { AppEvent } from '../../src-main/common/contract/events'
import { AppError } from '../../src-main/common/errors'
import type { DesktopBridge, Host, PickKind } from '../../src-renderer/src/host/host'
import { selectHost } from '../../src-renderer/src/host/select'
import { SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

/**
 * The desktop host is checked against a bridge shaped like the preload's: its invoke and onEvent reach a
 * real backend through the same dispatcher the main process uses; its dialogs answer what a user chose.
 */
let backend: Backend
let cleanup: () => void
beforeAll(() => {
  const t = tmpDir()
  cleanup = t.cleanup
  backend = new Backend({ dataDir: t.dir, mode: 'in-process', cancelGraceMs: 3000 })
})
afterAll(() => {
  backend.close()
  cleanup()
})

function bridge(answers: { path: string | null; pdf: string | null }) {
  const dispatch = createDispatcher(backend.api)
  const asked: { picked: PickKind[]; printed: { html: string; paper: string }[] } = { picked: [], printed: [] }
  const b: DesktopBridge = {
    invoke: (method, args) => dispatch(method, JSON.parse(JSON.stringify(args))),
    onEvent: (cb) => backend.subscribe((e: AppEvent) => cb(JSON.parse(JSON.stringify(e)))),
    pickPath: async (kind) => (asked.picked.push(kind), answers.path),
    savePdf: async (html, paper) => (asked.printed.push({ html, paper }), answers.pdf),
  }
  return { b, asked }
}

const noBrowser = (): Host => {
  throw new Error('the browser host must not be made in the desktop window')
}

describe('selectHost', () => {
  it("is the desktop host when the preload's bridge is there: API calls and events go through it", async () => {
    const { b } = bridge({ path: null, pdf: null })
    const host = selectHost(b, noBrowser)
    expect(host.kind).toBe('desktop')
    expect(host.canPickPaths).toBe(true)
    const api = new ApiClient(host.transport)
    expect((await api.call('app.info', {})).version).toMatch(/^\d+\.\d+\.\d+/)
    const events: AppEvent[] = []
    const off = api.onEvent((e) => events.push(e))
    await api.call('datasets.add', { path: SHAPES })
    off()
    expect(events).toContainEqual({ type: 'workspace.changed', area: 'datasets' })
    // Errors keep their code across the bridge.
    const err = await api.call('datasets.items', { id: 'nope' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('NOT_FOUND')
  })

  it('picks paths in the native dialog and returns null when the user cancels', async () => {
    const chosen = bridge({ path: '/models/clip', pdf: null })
    const host = selectHost(chosen.b, noBrowser)
    expect(await host.pickPath('model-folder')).toBe('/models/clip')
    expect(chosen.asked.picked).toEqual(['model-folder'])
    expect(await selectHost(bridge({ path: null, pdf: null }).b, noBrowser).pickPath('dataset-file')).toBeNull()
  })

  it("prints the preview's HTML on the chosen paper and says where the PDF went", async () => {
    const saved = bridge({ path: null, pdf: '/reports/r.pdf' })
    const host = selectHost(saved.b, noBrowser)
    const api = new ApiClient(host.transport)
    const { html } = await api.call('report.html', { sections: ['summary'], paper: 'Letter' })
    const noJobs = { api, runJob: () => Promise.reject(new Error('the desktop prints without a job')) }
    expect(await host.exportPdf({ sections: ['summary'], paper: 'Letter', html: async () => html }, noJobs)).toBe('Saved to /reports/r.pdf')
    expect(saved.asked.printed).toEqual([{ html, paper: 'Letter' }])
    const cancelled = bridge({ path: null, pdf: null })
    expect(await selectHost(cancelled.b, noBrowser).exportPdf({ sections: [], paper: 'A4', html: async () => html }, noJobs)).toBeNull()
  })

  it('is the browser host, made only then, when there is no bridge', () => {
    let made = 0
    const browser: Host = { kind: 'browser', transport: { invoke: async () => ({ ok: true, result: null }), onEvent: () => () => undefined }, canPickPaths: false, pickPath: async () => null, exportPdf: async () => null }
    expect(selectHost(undefined, () => (made++, browser))).toBe(browser)
    expect(made).toBe(1)
  })
})
