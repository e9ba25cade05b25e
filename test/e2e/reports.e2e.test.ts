import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/**
 * The Reports view in browser mode: pick sections, preview the self-contained HTML in a sandboxed
 * iframe, export a PDF (report job, then a download) and save the HTML.
 */
describe('Reports view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp({ acceptDownloads: true }))
    // One demo run for the file (results to report on), started from the Maps view's empty state.
    await page.goto(app.url)
    await page.click('[data-nav="maps"]')
    await page.getByTestId('run-demo').click()
    await page.getByTestId('item-map-A').waitFor({ timeout: 240_000 })
  })
  afterAll(() => closeApp(app, browser))

  const frame = async () => (await (await page.getByTestId('report-preview').elementHandle()).contentFrame())!
  const frameText = async (): Promise<string> => (await (await frame()).locator('body').textContent()) ?? ''
  const headings = async (): Promise<string[]> => (await frame()).locator('h1').allTextContents()

  it('previews the chosen sections in a sandboxed frame', async () => {
    await page.click('[data-nav="reports"]')
    const preview = page.getByTestId('report-preview')
    await preview.waitFor()
    expect(await preview.getAttribute('sandbox')).toBe('')
    await expect.poll(frameText).toContain('Provenance')
    expect((await headings()).some((h) => /^\d+ Colour$/.test(h))).toBe(true)
    expect(await page.getByTestId('report-sections').textContent()).toContain('Maps')
    // Unticking a section removes it from the preview.
    await page.getByTestId('section-colour').uncheck()
    await expect.poll(async () => page.getByTestId('report-sections').textContent()).not.toContain('Colour')
    await expect.poll(async () => (await headings()).some((h) => /^\d+ Colour$/.test(h))).toBe(false)
    expect((await headings()).some((h) => /^\d+ Provenance$/.test(h))).toBe(true)
    await page.getByTestId('section-colour').check()
    await expect.poll(async () => (await headings()).some((h) => /^\d+ Colour$/.test(h))).toBe(true)
    await shot(page, 'reports-preview')
    expect(errors).toEqual([])
  })

  it('exports a PDF and saves the HTML as downloads', async () => {
    await page.getByTestId('paper').selectOption('Letter')
    const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 240_000 }), page.getByTestId('export-pdf').click()])
    expect(pdf.suggestedFilename()).toMatch(/\.pdf$/)
    const file = await pdf.path()
    const bytes = fs.readFileSync(file)
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
    expect(bytes.length).toBeGreaterThan(10_000)
    await page.getByTestId('report-saved').waitFor()
    const [html] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-html').click()])
    expect(html.suggestedFilename()).toMatch(/\.html$/)
    const text = fs.readFileSync(await html.path(), 'utf8')
    expect(text).toContain('Provenance')
    expect(text).toContain('<svg')
    expect(errors).toEqual([])
  })
})
