import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { FIXTURES, SHAPES } from '../helpers/fixtures'
import { closeApp, openApp, shot, type ServedApp } from './harness'

/**
 * The renderer as the desktop window runs it. Electron cannot run on these machines, so before the
 * page's scripts run it gets a bridge of the preload's shape (`window.platonic`): invoke and onEvent
 * reach the served backend over HTTP, the dialogs answer what a user would choose and note what they
 * were asked. The page must pick the desktop host and use it for every call, for file picking and for
 * PDF export; a page without the bridge offers no dialogs.
 */
// What the dialog answers per kind, one answer per ask (the last one repeats); any other kind gets SHAPES.
const LMMS = path.join(FIXTURES, 'eval', 'formats', 'lmms_nested')
const EVAL_FILES = [path.join(LMMS, 'm1_samples_mle_bench.jsonl'), path.join(LMMS, 'm2_samples_mle_bench.jsonl')]
const MIXTURE = path.join(FIXTURES, 'e2e-eval', 'noise_grid.csv')

interface Asked {
  invoked: string[]
  picked: string[]
  printed: { html: string; paper: string }[]
}

describe('the desktop host in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
    const token = new URL(app.url).searchParams.get('token')!
    await page.addInitScript(
      ({ token, chosen, byKind }) => {
        const asked = { invoked: [] as string[], picked: [] as string[], printed: [] as { html: string; paper: string }[] }
        ;(globalThis as unknown as { asked: typeof asked }).asked = asked
        ;(globalThis as unknown as { platonic: unknown }).platonic = {
          async invoke(method: string, args: unknown) {
            asked.invoked.push(method)
            const r = await fetch('/api/call', { method: 'POST', headers: { 'content-type': 'application/json', 'x-platonic-token': token }, body: JSON.stringify({ method, args }) })
            return r.json()
          },
          onEvent(cb: (e: unknown) => void) {
            const source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
            source.onmessage = (m) => cb(JSON.parse(m.data as string))
            return () => source.close()
          },
          async pickPath(kind: string) {
            asked.picked.push(kind)
            const answers = byKind[kind]
            if (!answers?.length) return chosen
            return answers.length > 1 ? answers.shift()! : answers[0]!
          },
          async savePdf(html: string, paper: string) {
            asked.printed.push({ html, paper })
            return '/reports/platonic-lab-report.pdf'
          },
        }
      },
      { token, chosen: SHAPES, byKind: { 'eval-file': [...EVAL_FILES], 'mixture-file': [MIXTURE] } as Record<string, string[]> },
    )
    // The address without its token: the desktop window has none, so every call must go through the bridge.
    await page.goto(new URL('/', app.url).href)
  })
  afterAll(() => closeApp(app, browser))

  const asked = (): Promise<Asked> => page.evaluate(() => (globalThis as unknown as { asked: Asked }).asked)

  it('fills a path from the native dialog and adds the dataset through the bridge', async () => {
    await page.getByTestId('welcome').waitFor()
    await page.locator('[data-pick="dataset-folder"]').click()
    await expect.poll(async () => page.getByTestId('dataset-path').inputValue()).toBe(SHAPES)
    await page.getByTestId('add-dataset').click()
    await expect.poll(async () => page.getByTestId('datasets-table').textContent()).toContain('shapes-256')
    const a = await asked()
    expect(a.picked).toEqual(['dataset-folder'])
    expect(a.invoked).toContain('datasets.add')
    expect(await page.locator('[data-pick="model-folder"]').count()).toBe(1)
    expect(await page.locator('[data-pick="model-file"]').count()).toBe(1)
    await shot(page, 'desktop-host-workspace')
    expect(errors).toEqual([])
  })

  it("prints the preview's HTML in the main process instead of running a report job", async () => {
    await page.click('[data-nav="reports"]')
    await page.getByTestId('section-provenance').waitFor()
    await page.getByTestId('paper').selectOption('Letter')
    await expect.poll(async () => page.getByTestId('report-sections').textContent()).toContain('Provenance')
    await page.getByTestId('export-pdf').click()
    await expect.poll(async () => page.getByTestId('report-saved').textContent()).toBe('Saved to /reports/platonic-lab-report.pdf')
    const a = await asked()
    expect(a.printed).toHaveLength(1)
    expect(a.printed[0]!.paper).toBe('Letter')
    expect(a.printed[0]!.html).toContain('Provenance')
    expect(a.invoked).not.toContain('jobs.start')
    expect(errors).toEqual([])
  })

  it("fills the evaluation form's model and benchmark folders from the dialog", async () => {
    await page.click('[data-nav="mle"]')
    const form = page.getByTestId('eval-run')
    await form.locator('[data-pick="model-folder"]').click()
    await expect.poll(async () => page.getByTestId('eval-run-model').inputValue()).toBe(SHAPES)
    await form.locator('[data-pick="folder"]').click()
    await expect.poll(async () => page.getByTestId('eval-run-benchmark').inputValue()).toBe(SHAPES)
    expect((await asked()).picked).toEqual(['dataset-folder', 'model-folder', 'folder'])
    expect(errors).toEqual([])
  })

  it('picks evaluation outputs and a mixture table with their own dialog kinds, and imports what was picked', async () => {
    const form = page.getByTestId('eval-import')
    // Each pick joins the file list (one file per model); picking a listed file again does not repeat it.
    for (let i = 0; i < 3; i++) await form.locator('[data-pick="eval-file"]').click()
    await expect.poll(async () => page.getByTestId('eval-paths').inputValue()).toBe(EVAL_FILES.join('\n'))
    await page.getByTestId('eval-models').fill('m1, m2')
    await page.getByTestId('eval-import-submit').click()
    await expect.poll(async () => page.getByTestId('eval-runs').textContent()).toContain('lmms-eval')

    await page.click('[data-nav="mixtures"]')
    await page.getByTestId('mix-import').locator('[data-pick="mixture-file"]').click()
    await expect.poll(async () => page.getByTestId('mix-path').inputValue()).toBe(MIXTURE)
    await page.getByTestId('mix-import-submit').click()
    await page.getByTestId('mix-select-noise_grid.csv').waitFor()
    expect((await asked()).picked.slice(3)).toEqual(['eval-file', 'eval-file', 'eval-file', 'mixture-file'])
    expect(errors).toEqual([])
  })

  it('offers no dialogs in a page without the bridge', async () => {
    const plain = await browser.newPage()
    await plain.goto(app.url)
    await plain.getByTestId('dataset-path').waitFor()
    expect(await plain.locator('[data-pick]').count()).toBe(0)
    await plain.close()
  })
})
