import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/**
 * The Alignment view end to end, without a terminal: empty window → demo → sweep → model × model
 * heatmap → a clicked cell's layer heatmap and depth lines → capability scores typed in the Models
 * view → alignment-versus-capability scatter with Spearman ρ.
 */
describe('Alignment view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
  })
  afterAll(() => closeApp(app, browser))

  it('explains what is missing on an empty workspace', async () => {
    await page.goto(app.url)
    await page.getByTestId('welcome').waitFor()
    await page.click('[data-nav="alignment"]')
    await page.getByTestId('align-empty').waitFor()
    expect(await page.getByTestId('align-empty').textContent()).toContain('at least two models')
    expect(errors).toEqual([])
  })

  it('opens the demo, runs the sweep and shows the model × model matrix', async () => {
    await page.click('[data-nav="workspace"]')
    await page.getByTestId('open-demo').click()
    await page.getByTestId('models-table').waitFor()
    await page.click('[data-nav="alignment"]')
    await page.getByTestId('align-controls').waitFor()
    // Every model is chosen by default; nothing is computed yet.
    for (const name of ['vit-tiny', 'vit-tiny (tapped)', 'gpt-tiny', 'gpt-tiny (external data)']) {
      expect(await page.getByTestId(`pick-model-${name}`).isChecked()).toBe(true)
    }
    await page.getByTestId('matrix-none').waitFor()
    expect(await page.getByTestId('untrained-note').textContent()).toContain('untrained')
    expect(await page.getByTestId('run-sweep').textContent()).toContain('Compute 6 missing pairs')
    await page.getByTestId('run-sweep').click()
    await page.getByTestId('model-matrix').locator('svg').first().waitFor({ timeout: 240_000 })
    const table = page.getByTestId('pair-table')
    await table.waitFor()
    const text = (await table.textContent()) ?? ''
    // vit-tiny and its tapped copy have identical weights: mutual k-NN is exactly 1.
    expect(text).toContain('1.000')
    expect(await table.locator('tbody tr').count()).toBe(6)
    // The best pair is first; an unrelated pair sits above chance k/(N−1) = 10/255.
    const first = await table.locator('tbody tr').first().textContent()
    expect(first).toMatch(/vit-tiny.*vit-tiny/)
    expect(text).toContain('0.190')
    expect(text).toContain('0.039')
    // Calibrated by default (K = 200): identical models keep s_cal = 1, significant after BH (*).
    expect(await page.getByTestId('scores-calibrated').isChecked()).toBe(true)
    const svg = await page.getByTestId('model-matrix').innerHTML()
    expect(svg).toContain('★1.000*')
    expect(svg).toContain('calibrated')
    expect(text).toMatch(/Calibrated\s*τ\s*p\s*p \(BH\)/)
    expect(await page.getByTestId('run-sweep').textContent()).toContain('Run sweep')
    await shot(page, 'alignment-matrix-calibrated')
    await page.getByTestId('scores-raw').check()
    await expect.poll(async () => page.getByTestId('model-matrix').innerHTML()).not.toContain('calibrated')
    expect(await page.getByTestId('model-matrix').innerHTML()).toContain('★1.000')
    await shot(page, 'alignment-matrix')
    await page.getByTestId('scores-calibrated').check()
    expect(errors).toEqual([])
  })

  it('opens the layer × layer heatmap and depth lines for a clicked cell', async () => {
    // Click the cell of row 0 (vit-tiny), column 2 (gpt-tiny) in the chart: the grid spans
    // left 90 px / right 80 px and top 62 px / bottom 56 px of the canvas (heatmapBase).
    const canvas = page.getByTestId('model-matrix').locator('.chart-canvas')
    const box = (await canvas.boundingBox())!
    const w = box.width - 90 - 80
    const h = box.height - 62 - 56
    await page.mouse.click(box.x + 90 + (2.5 / 4) * w, box.y + 62 + (0.5 / 4) * h)
    const detail = page.getByTestId('layer-detail')
    await detail.waitFor()
    expect(await detail.locator('h2').textContent()).toContain('vit-tiny × gpt-tiny')
    await detail.getByTestId('provenance').waitFor()
    // Heatmap, lines and the null histogram of the calibration are drawn, the best cell marked with ★.
    await expect.poll(() => detail.locator('.chart-canvas svg').count()).toBe(3)
    const hist = detail.getByTestId('null-histogram')
    expect(await hist.locator('.chart-canvas').innerHTML()).toContain('τ')
    expect(await hist.locator('.chart-canvas').innerHTML()).toContain('observed')
    expect(await detail.locator('.chart-canvas').first().innerHTML()).toContain('★')
    const prov = (await detail.getByTestId('provenance').textContent()) ?? ''
    expect(prov).toContain('mutual_knn')
    expect(prov).toContain('clamp-exact, q = 0.95')
    expect(prov).toContain('256')
    expect(prov).toMatch(/s_cal = \d\.\d{3}, τ = \d\.\d{3}, p = [\d.e-]+, BH p = [\d.e-]+ \(K = 200, α = 0\.05\)/)
    // The same pair is reachable from the keyboard through the table.
    await page.getByRole('button', { name: 'Layers of vit-tiny × vit-tiny (tapped)' }).click()
    await expect.poll(async () => detail.locator('h2').textContent()).toContain('vit-tiny × vit-tiny (tapped)')
    await page.waitForTimeout(300)
    await shot(page, 'alignment-layers')
    await hist.scrollIntoViewIfNeeded()
    await shot(page, 'alignment-null-histogram')
    expect(errors).toEqual([])
  })

  it('plots alignment against capability scores typed in the Models view', async () => {
    await page.getByTestId('capability-panel').getByTestId('no-capabilities').waitFor()
    const scores: Record<string, string> = { 'vit-tiny (tapped)': '3', 'gpt-tiny': '1', 'gpt-tiny (external data)': '2' }
    await page.click('[data-nav="models"]')
    for (const [name, v] of Object.entries(scores)) {
      await page.click(`[data-model="${name}"]`)
      const meta = page.getByTestId('model-meta')
      await expect.poll(async () => meta.getByTestId('model-name').inputValue()).toBe(name)
      await meta.getByTestId('caps-add').click()
      await meta.getByTestId('caps-key-0').fill('VQA average')
      await meta.getByTestId('caps-value-0').fill(v)
      await meta.getByTestId('model-meta-save').click()
      await meta.getByTestId('model-meta-saved').waitFor()
    }
    await page.click('[data-nav="alignment"]')
    const panel = page.getByTestId('capability-panel')
    await panel.getByTestId('cap-stats').waitFor()
    // Settings survive leaving the view (localStorage) — the matrix is back without re-running.
    await page.getByTestId('model-matrix').waitFor()
    const stats = (await panel.getByTestId('cap-stats').textContent()) ?? ''
    expect(stats).toMatch(/Spearman ρ = -?\d\.\d\d, p = \d\.\d{3}, n = 3/)
    expect(await panel.getByTestId('cap-name').inputValue()).toBe('VQA average')
    expect(await panel.locator('.chart-canvas svg').first().innerHTML()).toContain('stroke-dasharray')
    await panel.locator('select').nth(2).selectOption('family')
    await page.waitForTimeout(1200)
    await shot(page, 'alignment-capability')
    expect(errors).toEqual([])
  })

  it('keeps the chosen parameters across a reload', async () => {
    await page.getByTestId('align-metric').selectOption('cka')
    await expect.poll(() => page.url()).toContain('metric=cka')
    await page.reload()
    await page.getByTestId('align-controls').waitFor()
    expect(await page.getByTestId('align-metric').inputValue()).toBe('cka')
    // cka was not in this sweep: nothing stored for it, the view offers the sweep.
    await page.getByTestId('matrix-none').waitFor()
    expect(errors).toEqual([])
  })

  it('computes every metric in one sweep when asked, then shows each without recomputing', async () => {
    // Raw scores only here (calibrating all eleven metrics is a long job); the raw view shows them.
    await page.getByTestId('align-metric').selectOption('mutual_knn')
    await page.getByTestId('scores-raw').check()
    await page.getByTestId('align-calibrate').fill('0')
    await page.getByTestId('align-calibrate').dispatchEvent('change')
    await page.getByTestId('all-metrics').check()
    await page.getByTestId('run-sweep').click()
    await page.locator('[data-testid="job"][data-state="done"]', { hasText: 'all metrics' }).waitFor({ timeout: 240_000 })
    for (const metric of ['cka', 'svcca', 'cknna']) {
      await page.getByTestId('align-metric').selectOption(metric)
      await expect.poll(async () => (await page.getByTestId('run-sweep').textContent()) ?? '').toContain('Run sweep')
      await expect.poll(async () => page.getByText('★1.000').count()).toBeGreaterThan(0)
    }
    expect(errors).toEqual([])
  })
})
