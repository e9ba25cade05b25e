import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/** The GPU panel: every provider with a proven status, the reason and the way to enable it. */
describe('GPU view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('lists cpu as usable and says why the others are not and how to enable them', async () => {
    await page.goto(app.url)
    await page.click('[data-nav="gpu"]')
    const table = page.getByTestId('gpu-table')
    await table.waitFor({ timeout: 60_000 })
    const cpu = table.locator('tr[data-ep="cpu"]')
    expect(await cpu.getAttribute('data-usable')).toBe('true')
    expect(await cpu.textContent()).toContain('✓ usable')
    // Every provider that is not usable carries a reason.
    for (const row of await table.locator('tr[data-usable="false"]').all()) {
      expect(((await row.locator('.reason').textContent()) ?? '').length).toBeGreaterThan(5)
    }
    const picks = (await page.getByTestId('gpu-picks').textContent()) ?? ''
    expect(await table.locator(`tr[data-ep="${picks}"]`).getAttribute('data-usable')).toBe('true')
    const text = (await page.locator('section').textContent()) ?? ''
    expect(text).toContain('npm run gpu:install-cuda')
    expect(text).toContain('platonic-lab gpu')
    await page.getByTestId('gpu-probe').click()
    await expect.poll(async () => page.getByTestId('gpu-probe').isEnabled()).toBe(true)
    await shot(page, 'gpu-view')
    expect(errors).toEqual([])
  })
})
