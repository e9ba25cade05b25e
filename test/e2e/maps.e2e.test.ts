import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/**
 * The Maps view end to end: empty state → the demo job (item maps of vit-tiny and gpt-tiny over all
 * 256 shapes-256 items, alignment results) → two maps side by side with "N used of N available" →
 * brushing in one rings the same items in the other and lists neighbours in both spaces → model map.
 */
describe('Maps view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('offers the demo on an empty workspace and shows two item maps after it', async () => {
    await page.goto(app.url)
    await page.click('[data-nav="maps"]')
    await page.getByTestId('maps-empty').waitFor()
    await page.getByTestId('run-demo').click()
    for (const side of ['A', 'B']) await page.getByTestId(`item-map-${side}`).locator('.chart-canvas svg').waitFor({ timeout: 240_000 })
    const a = (await page.getByTestId('n-used-A').textContent()) ?? ''
    const b = (await page.getByTestId('n-used-B').textContent()) ?? ''
    expect(a).toBe('256 used of 256 available · all items')
    expect(b).toBe('256 used of 256 available · all items')
    // The default pair is one vision and one language map of the same items.
    const titles = [await page.getByTestId('map-pick-A').inputValue(), await page.getByTestId('map-pick-B').inputValue()]
    expect(new Set(titles).size).toBe(2)
    const picked = await page.locator('[data-testid^="map-pick-"] option:checked').allTextContents()
    expect(picked.some((t) => t.startsWith('vit-tiny'))).toBe(true)
    expect(picked.some((t) => t.startsWith('gpt-tiny'))).toBe(true)
    await page.getByTestId('neighbours-empty').waitFor()
    expect(errors).toEqual([])
  })

  it('brushing in one map lights up the same items in the other and lists shared neighbours', async () => {
    const ringsIn = (side: string) => page.getByTestId(`item-map-${side}`).locator('.chart-canvas svg path[stroke="#d62728"]').count()
    // The legend's "selected" swatch is drawn in the same colour: count rings above it.
    const base = await ringsIn('B')
    expect(base).toBeLessThanOrEqual(1)
    const canvas = page.getByTestId('item-map-A').locator('.chart-canvas')
    const box = (await canvas.boundingBox())!
    // The grid spans left 50 / right 30 / top 56 / bottom 64 px (mapScatterOption): drag over most of it.
    await page.mouse.move(box.x + 60, box.y + 66)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height - 80, { steps: 10 })
    await page.mouse.up()
    const table = page.getByTestId('neighbour-table')
    await table.waitFor()
    const summary = (await page.getByTestId('neighbours-summary').textContent()) ?? ''
    const selected = Number(/(\d+) selected/.exec(summary)?.[1])
    expect(selected).toBeGreaterThan(5)
    expect(summary).toContain('k = 10')
    // Chance level of mutual k-NN for 256 items: 10/255.
    expect(summary).toContain('0.039')
    // The other map rings exactly the selected items (both maps hold all 256).
    await expect.poll(async () => (await ringsIn('B')) - base).toBe(selected)
    expect((await ringsIn('A')) - base).toBe(selected)
    const rows = table.locator('tbody tr')
    expect(await rows.count()).toBe(Math.min(selected, 40))
    // Each row's overlap is "shared/k", and shared neighbours are marked in both lists.
    const first = rows.first()
    const overlap = (await first.locator('td').nth(1).textContent()) ?? ''
    const shared = Number(overlap.split('/')[0])
    expect(overlap).toMatch(/^\d+\/10$/)
    expect(await first.locator('td.nb').nth(0).locator('.shared').count()).toBe(shared)
    expect(await first.locator('td.nb').nth(1).locator('.shared').count()).toBe(shared)
    const mean = Number(await page.getByTestId('mean-overlap').textContent())
    expect(mean).toBeGreaterThanOrEqual(0)
    expect(mean).toBeLessThanOrEqual(1)
    await shot(page, 'maps-linked')
    expect(errors).toEqual([])
  })

  it('selects by attribute from the keyboard and shows an item with its thumbnail', async () => {
    await page.locator('select[aria-label="Attribute to select by"]').selectOption('colour')
    await page.locator('select[aria-label="Value to select"]').selectOption('blue')
    await page.getByTestId('select-where').click()
    // shapes-256 has 25 blue items (its README).
    await expect.poll(async () => page.getByTestId('neighbours-summary').textContent()).toContain('25 selected')
    await page.getByTestId('neighbour-table').locator('tbody tr').first().getByRole('button').click()
    const preview = page.getByTestId('item-preview')
    await preview.locator('img').waitFor()
    expect(await preview.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    expect(await preview.textContent()).toContain('blue')
    expect(errors).toEqual([])
  })

  it('places the models on a model map from the stored alignments', async () => {
    const mm = page.getByTestId('model-map')
    await mm.locator('.chart-canvas svg').waitFor({ timeout: 60_000 })
    const svg = await mm.locator('.chart-canvas').innerHTML()
    expect(svg).toContain('4 models placed by classical MDS')
    expect(svg).toContain('gpt-tiny')
    await mm.scrollIntoViewIfNeeded()
    await shot(page, 'maps-model-map')
    expect(errors).toEqual([])
  })

  it('colours both maps by k-means clusters of the left map', async () => {
    await page.getByTestId('colour-by').selectOption('#cluster')
    await page.getByTestId('cluster-k').fill('3')
    for (const side of ['A', 'B']) {
      const map = page.getByTestId(`item-map-${side}`)
      await expect.poll(async () => (await map.textContent()) ?? '').toContain('cluster 3')
      expect(await map.textContent()).not.toContain('cluster 4')
    }
    await page.waitForTimeout(800) // let the colour transition finish before the screenshot
    await shot(page, 'maps-clusters')
    expect(errors).toEqual([])
  })
})
