import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { FIXTURES } from '../helpers/fixtures'
import { shot, type ServedApp, openApp, closeApp } from './harness'

// The Mixtures view on the demo workspace, whose mixture tables are the paper's Tables 1, 2 and 4
// (resources/demo/paper-tables): the grid's best observed cell is reasoning 60 / visual 15 → 32.7, and
// the printed shares of mix7–mix10 do not follow from Table 4 (Han et al. 2025).
describe('Mixtures view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
    await page.goto(app.url)
    await page.click('[data-nav="mixtures"]')
    await page.getByTestId('mix-empty').waitFor()
    await page.click('[data-nav="workspace"]')
    await page.getByTestId('open-demo').click()
    await page.getByTestId('welcome').waitFor({ state: 'detached', timeout: 240_000 })
  })
  afterAll(() => closeApp(app, browser))

  it('shows the grid heatmap with the best observed cell 60 / 15 → 32.7 and a fitted surface', async () => {
    await page.click('[data-nav="mixtures"]')
    const grid = page.getByTestId('grid-panel')
    await grid.waitFor()
    const best = (await page.getByTestId('best-cell').textContent()) ?? ''
    expect(best).toMatch(/reasoning_pct 60\b/)
    expect(best).toMatch(/visual_pct 15\b/)
    expect(best).toContain('32.7')
    // 8 reasoning levels × 6 visual levels with 30 sampled: 18 blank cells.
    expect(best).toContain('18 of the 48 combinations not sampled')
    expect(await page.getByTestId('mix-citation').textContent()).toContain('Table 1')
    // The chart is SVG: the best cell carries the star label, the surface panel its optimum.
    const svgText = (await grid.locator('.chart-canvas svg').first().textContent()) ?? ''
    expect(svgText).toContain('★32.7')
    expect(svgText).toContain('fitted quadratic surface')
    expect(svgText).toContain('optimum')
    const r2 = Number((await page.getByTestId('fit-r2').textContent())?.trim())
    expect(r2).toBeGreaterThan(0.5)
    expect(r2).toBeLessThanOrEqual(1)
    expect(await page.getByTestId('fit-loo').textContent()).toMatch(/mean only: \d/)
    expect(await page.getByTestId('fit-optimum').textContent()).toContain('inside the sampled region')
    expect(await page.getByTestId('fit-not-better').count()).toBe(0)
    await shot(page, 'mixtures-grid')
    expect(errors).toEqual([])
  })

  it('shows the recipe table with the printed rank as given and flags mix7–mix10', async () => {
    await page.getByTestId('mix-select-lsbs_recipes.csv').check()
    const table = page.getByTestId('recipe-table')
    await table.waitFor()
    await page.getByTestId('derived-flag').waitFor()
    expect(await page.getByTestId('derived-flag').textContent()).toContain('mix7, mix8, mix9, mix10')
    const header = (await table.locator('thead').textContent()) ?? ''
    expect(header).toContain('overall_rank (as printed)')
    expect(header).toContain('Rank (computed)')
    expect(header).toContain('web_crawl')
    const heads = await table.locator('thead th').allTextContents()
    const col = (name: string): number => heads.findIndex((h) => h.trim().startsWith(name))
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())))
    expect(rows).toHaveLength(11)
    for (const r of rows) {
      const k = Number(r[0]!.replace('mix', ''))
      expect(r[col('Printed vs derived')], `${r[0]} flag`).toBe(k >= 7 ? '⚠ disagree' : 'agree')
    }
    // The printed columns are reproduced as given: mix6 is web_crawl 40.0, reasoning 52.0, v_acc 33.30, printed rank 1.
    const mix6 = rows.find((r) => r[0] === 'mix6')!
    expect(mix6[col('web_crawl')]).toBe('40.0')
    expect(mix6[col('reasoning % (printed)')]).toBe('52.0')
    expect(mix6[col('v_acc')]).toBe('33.30')
    expect(mix6[col('overall_rank (as printed)')]).toBe('1')
    expect(await page.getByTestId('rank-description').textContent()).toContain('mean of per-metric ranks')
    expect(await page.getByTestId('mix-citation').textContent()).toContain('Table 2')
    await page.getByTestId('trade-off').locator('svg').first().waitFor()
    expect(await page.getByTestId('trade-off').locator('svg').first().textContent()).toContain('Pareto')
    await page.getByTestId('share-score').locator('svg').first().waitFor()
    await shot(page, 'mixtures-recipes')
    expect(errors).toEqual([])
  })

  it('re-ranks under the weighted score and keeps the printed rank untouched', async () => {
    const table = page.getByTestId('recipe-table')
    const printedRank = async (): Promise<string[]> => {
      const heads = await table.locator('thead th').allTextContents()
      const j = heads.findIndex((h) => h.trim().startsWith('overall_rank (as printed)'))
      expect(j).toBeGreaterThan(0)
      return table.locator(`tbody tr td:nth-child(${j + 1})`).allTextContents()
    }
    const before = await printedRank()
    expect(before).toEqual(['5', '4', '8', '9', '10', '6', '1', '3', '2', '7', '11'])
    await page.getByTestId('rank-method').selectOption('weighted-score')
    await page.getByTestId('rank-description').filter({ hasText: 'weighted' }).waitFor()
    expect(await table.locator('thead').textContent()).toContain('Weighted score')
    expect(await printedRank()).toEqual(before)
    expect(errors).toEqual([])
  })

  it('exports the recipe table as CSV and the grid chart as SVG', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recipe-table').getByRole('button', { name: 'CSV' }).click()])
    expect(csv.suggestedFilename()).toBe('lsbs_recipes-ranked.csv')
    const text = fs.readFileSync(await csv.path(), 'utf8')
    expect(text.split('\r\n')[0]).toContain('overall_rank (as printed)')
    expect(text).toMatch(/mix7,[^\r\n]*⚠ disagree/)
    await page.getByTestId('mix-select-lsbs_mixture_grid.csv').check()
    const grid = page.getByTestId('grid-panel')
    await grid.waitFor()
    const [svg] = await Promise.all([page.waitForEvent('download'), grid.getByRole('button', { name: 'SVG' }).click()])
    expect(svg.suggestedFilename()).toBe('lsbs_mixture_grid-grid.svg')
    const doc = fs.readFileSync(await svg.path(), 'utf8')
    expect(doc.startsWith('<svg')).toBe(true)
    expect(doc).toContain('★32.7')
    expect(errors).toEqual([])
  })

  it('imports a grid that no surface fits and says the fit is not better than the mean', async () => {
    await page.getByTestId('mix-path').fill(path.join(FIXTURES, 'e2e-eval', 'noise_grid.csv'))
    await page.getByTestId('mix-import-submit').click()
    await page.getByTestId('mix-select-noise_grid.csv').waitFor()
    await page.getByTestId('mix-select-noise_grid.csv').check()
    await page.getByTestId('fit-not-better').waitFor()
    expect(await page.getByTestId('fit-not-better').textContent()).toContain('not better than the mean')
    expect(await page.getByTestId('best-cell').textContent()).toContain('avg_vqa 31')
    expect(await page.getByTestId('mix-citation').count()).toBe(0)
    await shot(page, 'mixtures-noise-grid')
    expect(errors).toEqual([])
  })

  it('shows the backend’s sentence for a bad path', async () => {
    await page.getByTestId('mix-path').fill('/no/such/mixture.csv')
    await page.getByTestId('mix-import-submit').click()
    const err = page.getByTestId('mix-import-error')
    await err.waitFor()
    expect(await err.textContent()).toContain('/no/such/mixture.csv')
    // The refused request itself is the only thing Chromium logs (an HTTP 400 of the loopback API); nothing else.
    expect(errors.every((e) => /status of 400/.test(e))).toBe(true)
    errors.length = 0
  })
})
