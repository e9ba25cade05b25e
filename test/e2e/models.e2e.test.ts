import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import path from 'node:path'
import { FIXTURES } from '../helpers/fixtures'
import { shot, type ServedApp, openApp, closeApp } from './harness'

/** The Models view end to end: inspect a graph without hidden-state outputs, extract with a progress bar, edit scores, delete features. */
describe('Models view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
    // Deleting asks for confirmation.
    page.on('dialog', (d) => void d.accept())
  })
  afterAll(() => closeApp(app, browser))

  it('shows an empty state, then the demo models', async () => {
    await page.goto(app.url)
    await page.getByTestId('welcome').waitFor()
    await page.click('[data-nav="models"]')
    await page.getByTestId('models-empty').waitFor()
    await page.getByTestId('feature-sets-empty').waitFor()
    await page.click('[data-nav="workspace"]')
    await page.getByTestId('open-demo').click()
    await page.getByTestId('models-table').waitFor()
    await page.click('[data-nav="models"]')
    await page.getByTestId('model-detail').waitFor()
    expect(await page.locator('[data-model]').count()).toBe(4)
    expect(errors).toEqual([])
  })

  it('lists the tappable block outputs of the model without hidden-state outputs', async () => {
    await page.click('[data-model="vit-tiny (tapped)"]')
    const layers = page.getByTestId('model-layers')
    await layers.getByTestId('no-hidden-states').waitFor()
    const text = (await layers.textContent()) ?? ''
    expect(text).toContain('pixel_values')
    expect(text).toContain('logits')
    expect(text).toMatch(/Residual stream \(\d+ block outputs\)/)
    expect(text).toContain('/encoder/layers/encoder_layer_0/')
    expect(await layers.getByTestId('model-provider').textContent()).toContain('not run yet')
    await shot(page, 'models-tapped')
    expect(errors).toEqual([])
  })

  it('extracts gpt-tiny on shapes-256 with a progress bar, then lists the feature set with its provider and size', async () => {
    await page.click('[data-model="gpt-tiny"]')
    await expect.poll(async () => page.getByTestId('model-detail').locator('h2').first().textContent()).toBe('gpt-tiny')
    await page.getByTestId('model-layers').getByTestId('hidden-states').waitFor()
    expect(await page.getByTestId('extract-dataset').locator('option:checked').textContent()).toContain('shapes-256')
    await page.getByTestId('extract-run').click()
    await page.getByTestId('extract-progress').locator('progress').waitFor()
    const done = page.getByTestId('extract-done')
    await done.waitFor({ timeout: 120_000 })
    expect(await done.textContent()).toMatch(/Extracted: 256 items × \d+ layers × \d+ dims on cpu, [\d,]+ items\/s \(batches prepared (in a worker thread|inline)/)
    const table = page.getByTestId('feature-sets-table')
    await table.waitFor()
    const row = (await table.locator('tbody tr').first().textContent()) ?? ''
    expect(row).toContain('gpt-tiny')
    expect(row).toContain('shapes-256')
    expect(row).toContain('complete')
    expect(row).toMatch(/\d+(\.\d)? KiB/)
    await expect.poll(async () => page.getByTestId('model-provider').textContent()).toContain('cpu')
    await shot(page, 'models-extracted')
    expect(errors).toEqual([])
  })

  it('saves tags and capability scores, and refuses a score that is not a number', async () => {
    const meta = page.getByTestId('model-meta')
    await meta.getByTestId('caps-add').click()
    await meta.getByTestId('caps-key-0').fill('bits per byte')
    await meta.getByTestId('caps-value-0').fill('lots')
    await meta.getByTestId('model-meta-save').click()
    expect(await meta.getByTestId('model-meta-error').textContent()).toContain('“bits per byte” must be a number, got “lots”')
    await meta.getByTestId('caps-value-0').fill('1.25')
    await meta.getByTestId('model-meta-save').click()
    await meta.getByTestId('model-meta-saved').waitFor()
    await expect.poll(async () => page.locator('[data-model="gpt-tiny"]').textContent()).toContain('1 scores')
    // The stored tags came back (family, modality, size) and the new score is in the editor after a reload.
    await page.reload()
    await page.click('[data-model="gpt-tiny"]')
    await expect.poll(async () => page.getByTestId('caps-key-0').inputValue()).toBe('bits per byte')
    expect(await page.getByTestId('caps-value-0').inputValue()).toBe('1.25')
    expect(await page.getByTestId('tags-key-0').inputValue()).toBe('family')
    expect(errors).toEqual([])
  })

  it('fills capability scores from an imported MLE-Bench evaluation', async () => {
    const token = new URL(app.url).searchParams.get('token')!
    const file = path.join(FIXTURES, 'eval', 'formats', 'lmms_nested', 'm1_samples_mle_bench.jsonl')
    const r = await fetch(new URL('/api/call', app.url), { method: 'POST', headers: { 'x-platonic-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ method: 'eval.import', args: { paths: [file], models: ['m1'] } }) })
    expect(r.status).toBe(200)
    await page.reload()
    await page.click('[data-model="gpt-tiny"]')
    const meta = page.getByTestId('model-meta')
    await meta.getByTestId('caps-from-eval').click()
    // m1's sample-weighted overall is 0.625 (test/fixtures/eval/expected_breakdown.json).
    const keys = await meta.locator('[data-testid^="caps-key-"]').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))
    const i = keys.indexOf('MLE-Bench overall (weighted, %)')
    expect(i).toBeGreaterThanOrEqual(0)
    expect(await meta.getByTestId(`caps-value-${i}`).inputValue()).toBe('62.5')
    expect(errors).toEqual([])
  })

  it('shows the backend’s sentence for a wrong model path or bundle folder', async () => {
    await page.getByTestId('add-model-path').fill('/no/such/model.onnx')
    await page.getByTestId('add-model-submit').click()
    expect(await page.getByTestId('add-model-error').textContent()).toContain('/no/such/model.onnx')
    await page.getByTestId('fs-import-dir').fill('/no/such/bundle')
    await page.getByTestId('fs-import').click()
    expect(await page.getByTestId('fs-error').textContent()).toContain('/no/such/bundle')
    // Chromium logs each refused request (HTTP 400) itself; those two are expected, anything else is not.
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([])
    expect(errors.length).toBe(2)
    errors.splice(0)
  })

  it('deletes a feature set', async () => {
    await page.getByTestId('feature-sets-table').getByTestId('fs-delete').first().click()
    await page.getByTestId('feature-sets-empty').waitFor()
    expect(await page.getByTestId('fs-message').textContent()).toMatch(/Deleted .* of features/)
    await shot(page, 'models-deleted')
    expect(errors).toEqual([])
  })
})
