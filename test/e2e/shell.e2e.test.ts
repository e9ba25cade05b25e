import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { SHAPES } from '../helpers/fixtures'
import { serveApp, shot, watchConsole, type ServedApp, openApp, closeApp } from './harness'

const VIEWS = ['workspace', 'models', 'alignment', 'maps', 'mle', 'mixtures', 'colour', 'reports', 'gpu']

describe('app shell in Chromium (browser mode)', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('refuses an API call without the token header, whatever else it carries', async () => {
    const base = new URL(app.url)
    const token = base.searchParams.get('token')!
    const body = JSON.stringify({ method: 'app.info', args: {} })
    const call = (path: string, headers: Record<string, string>) => fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    expect((await call('/api/call', {})).status).toBe(401)
    expect((await call(`/api/call?token=${token}`, {})).status).toBe(401)
    expect((await call('/api/call', { cookie: `pl_token=${token}` })).status).toBe(401)
    expect((await call('/api/call', { 'x-platonic-token': token })).status).toBe(200)
  })

  it('loads, shows the welcome on an empty workspace, and visits every view without console errors', async () => {
    await page.goto(app.url)
    await page.getByTestId('welcome').waitFor()
    expect(await page.title()).toBe('Platonic Lab')
    // The token left the address bar, lives in this tab's sessionStorage, and no cookie carries it.
    expect(page.url()).not.toContain('token')
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('pl_token'))).toBe(new URL(app.url).searchParams.get('token'))
    expect(await page.context().cookies()).toEqual([])
    await page.reload()
    await page.getByTestId('welcome').waitFor()
    for (const v of VIEWS) {
      await page.click(`[data-nav="${v}"]`)
      await page.waitForSelector('h1')
      await page.waitForTimeout(150)
      const file = await shot(page, `view-${v}`)
      expect(fs.statSync(file).size).toBeGreaterThan(1000)
    }
    expect(errors).toEqual([])
  })

  it('registers the fixture dataset from the Workspace view and lists it', async () => {
    await page.click('[data-nav="workspace"]')
    await page.fill('[data-testid="dataset-path"]', SHAPES)
    await page.click('[data-testid="add-dataset"]')
    const table = page.getByTestId('datasets-table')
    await table.waitFor()
    expect(await table.textContent()).toContain('shapes-256')
    expect(await table.textContent()).toContain('256')
    await shot(page, 'workspace-dataset-added')
    expect(errors).toEqual([])
  })

  it('shows the backend’s sentence when a path is wrong', async () => {
    await page.fill('[data-testid="dataset-path"]', '/no/such/dataset')
    await page.click('[data-testid="add-dataset"]')
    const err = page.getByTestId('form-error')
    await err.waitFor()
    expect(await err.textContent()).toContain('/no/such/dataset')
  })

  it('computes the whole demo from the welcome card with a progress bar, then shows results in the views', async () => {
    const fresh = await serveApp()
    const p = await browser.newPage({ viewport: { width: 1360, height: 900 } })
    const errs = watchConsole(p)
    try {
      await p.goto(fresh.url)
      await p.getByTestId('compute-demo').click()
      const job = p.locator('[data-testid="job"]', { hasText: 'Demo' })
      await job.waitFor()
      expect(await job.locator('progress').count()).toBe(1)
      await p.locator('[data-testid="job"][data-state="done"]', { hasText: 'Demo' }).waitFor({ timeout: 240_000 })
      await p.click('[data-nav="alignment"]')
      await p.getByText('★1.000').first().waitFor({ timeout: 30_000 })
      await shot(p, 'demo-computed-alignment')
      // A finished job can be closed so it no longer covers the view.
      const finished = p.locator('[data-testid="job"][data-state="done"]', { hasText: 'Demo' })
      await finished.getByTestId('job-close').click()
      await finished.waitFor({ state: 'detached' })
      expect(errs).toEqual([])
    } finally {
      await p.close()
      await fresh.stop()
    }
  })
})
