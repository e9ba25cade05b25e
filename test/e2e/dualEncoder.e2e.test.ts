import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES } from '../helpers/fixtures'
import { closeApp, openApp, shot, type ServedApp } from './harness'

/** A CLIP-style model added once shows both towers in the Models view and is two entries to align. */
describe('a dual encoder in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('the Models view lists clip-tiny once, with its vision and text towers', async () => {
    await page.goto(app.url)
    await page.getByTestId('welcome').waitFor()
    await page.getByTestId('open-demo').click()
    await page.getByTestId('models-table').waitFor()
    await page.click('[data-nav="models"]')
    await page.getByTestId('add-model-path').fill(path.join(FIXTURES, 'models', 'clip-tiny'))
    await page.getByTestId('add-model-submit').click()
    await page.locator('[data-model="clip-tiny"]').waitFor()
    expect(await page.getByTestId('model-modality-clip-tiny').textContent()).toContain('vision + text')
    await page.click('[data-model="clip-tiny"]')
    const towers = page.getByTestId('model-towers')
    await towers.waitFor()
    expect(await towers.locator('tr').count()).toBe(2)
    expect(await page.getByTestId('model-layers').locator('dl').textContent()).toContain('vision + text (dual encoder)')
    expect(await towers.locator('[data-tower="vision"]').textContent()).toContain('pixel_values')
    expect(await towers.locator('[data-tower="text"]').textContent()).toContain('input_ids, attention_mask')
    expect(await page.getByTestId('extract-tower').locator('option').allTextContents()).toEqual(['from the dataset', 'vision', 'text'])
    await shot(page, 'models-dual-encoder')
    expect(errors).toEqual([])
  })

  it('the Alignment view aligns the image tower with the text tower of the same model', async () => {
    await page.click('[data-nav="alignment"]')
    await page.getByTestId('align-controls').waitFor()
    for (const name of ['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny', 'gpt-tiny (external data)']) {
      const box = page.getByTestId(`pick-model-${name}`)
      if (await box.isChecked()) await box.uncheck()
    }
    await page.getByTestId('pick-model-clip-tiny · vision').check()
    await page.getByTestId('pick-model-clip-tiny · text').check()
    await page.getByTestId('matrix-none').waitFor()
    await page.getByTestId('run-sweep').click()
    const table = page.getByTestId('pair-table')
    await table.waitFor({ timeout: 240_000 })
    const text = (await table.textContent()) ?? ''
    expect(text).toContain('clip-tiny · vision')
    expect(text).toContain('clip-tiny · text')
    await shot(page, 'alignment-dual-encoder')
    expect(errors).toEqual([])
  })
})
