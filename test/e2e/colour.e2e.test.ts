import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/**
 * The Colour view end to end: empty state → the demo job (colour experiment on gpt-tiny, vit-tiny and
 * the shapes-256 images) → three colour-space scatters, the per-layer line chart with its baselines,
 * the untrained / RGB-baseline note and the scores table.
 */
describe('Colour view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('offers the demo when nothing has run, then shows three colour spaces and the per-layer scores', async () => {
    await page.goto(app.url)
    await page.click('[data-nav="colour"]')
    await page.getByTestId('colour-empty').waitFor()
    await page.getByTestId('run-demo').click()
    await page.getByTestId('colour-spaces').waitFor({ timeout: 240_000 })
    for (const id of ['colour-language', 'colour-image', 'colour-cielab']) await page.getByTestId(id).locator('.chart-canvas svg').waitFor()
    const html = async (id: string) => (await page.getByTestId(id).locator('.chart-canvas').innerHTML()) ?? ''
    expect(await html('colour-language')).toContain('Language model · hidden_states.4')
    expect(await html('colour-image')).toContain('Vision model · hidden_states.4 (swatches)')
    const lab = await html('colour-cielab')
    expect(lab).toContain('CIELAB (reference)')
    // Each colour is drawn in its own colour and named (red is #e50000 in the term list).
    expect(lab.toLowerCase()).toContain('#e50000')
    expect(lab).toContain('red')
    // Per-layer line chart with the RGB baseline and the chance line.
    await page.getByTestId('colour-layers').locator('.chart-canvas svg').waitFor()
    const lines = await html('colour-layers')
    expect(lines).toContain('Spearman ρ with CIELAB distances, per layer')
    expect(lines).toMatch(/RGB 0\.\d{3}/)
    expect(lines).toMatch(/chance -?0\.\d+/)
    const note = (await page.getByTestId('chance-note').textContent()) ?? ''
    expect(note).toContain('Chance-level numbers are expected for untrained models')
    expect(note).toContain('RGB baseline reaches')
    expect(note).toContain('RGB already correlates with CIELAB')
    await shot(page, 'colour-view')
    expect(errors).toEqual([])
  })

  it('puts every score beside its baseline and switches the image side to co-occurrence', async () => {
    const table = page.getByTestId('colour-scores')
    const rows = table.locator('tbody tr')
    // 5 language layers + 5 vision layers + image co-occurrence + RGB baseline.
    expect(await rows.count()).toBe(12)
    const rgb = (await rows.filter({ hasText: 'RGB baseline' }).locator('td').allTextContents()).map((t) => t.trim())
    const rho = Number(rgb[2])
    const chance = Number(rgb[3])
    expect(rho).toBeGreaterThan(chance + 0.3)
    // The vision model's layer 0 is degenerate: no scores, a note instead of NaN.
    const l0 = await rows.filter({ hasText: 'vision (swatches)' }).first().textContent()
    expect(l0).toContain('same features')
    expect(await table.textContent()).not.toContain('NaN')
    await page.getByTestId('image-side').selectOption('cooccurrence')
    await expect.poll(async () => page.getByTestId('colour-image').locator('.chart-canvas').innerHTML()).toContain('Images · co-occurrence PMI')
    await page.getByTestId('colour-plane').selectOption('La')
    await expect.poll(async () => page.getByTestId('colour-cielab').locator('.chart-canvas').innerHTML()).toContain('L*')
    expect(errors).toEqual([])
  })
})
