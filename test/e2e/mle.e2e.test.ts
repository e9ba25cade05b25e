import path from 'node:path'
import fs from 'node:fs'
import { tmpDir } from '../helpers/tmp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Locator, Page } from 'playwright-core'
import { FIXTURES, SHAPES } from '../helpers/fixtures'
import { shot, type ServedApp, openApp, closeApp } from './harness'

// Two models' answers to the same 24 synthetic MLE-Bench questions (test/fixtures/eval/formats, made by
// make_eval_fixtures.py); the expected numbers are in test/fixtures/eval/expected_breakdown.json.
const LMMS = path.join(FIXTURES, 'eval', 'formats', 'lmms_nested')
const M1 = path.join(LMMS, 'm1_samples_mle_bench.jsonl')
const M2 = path.join(LMMS, 'm2_samples_mle_bench.jsonl')

/** Cell texts of a table, one array per body row, and a lookup of the header's column index. */
async function readTable(table: Locator): Promise<{ rows: string[][]; col: (head: string) => number }> {
  const heads = (await table.locator('thead th').allTextContents()).map((h) => h.trim())
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())))
  return {
    rows,
    col: (head) => {
      const j = heads.findIndex((h) => h.startsWith(head))
      if (j < 0) throw new Error(`no column "${head}" in ${heads.join(' | ')}`)
      return j
    },
  }
}

// Per-benchmark scores for four made-up models, built so the category means have known rank orders:
// General and Knowledge rise with the model index, OCR & Chart falls, Vision-Centric follows 2, 0, 3, 1.
// Hence Spearman ρ = 1 (General–Knowledge), −1 (General–OCR & Chart) and 0 (General–Vision-Centric:
// d = 2, −1, 1, −2, Σd² = 10, ρ = 1 − 6·10/(4·15) = 0). MME is given as a perception score (÷ 20).
const BENCHES = ['GQA', 'MME', 'MMBench', 'SEED', 'ScienceQA', 'MMMU', 'AI2D', 'MathVista', 'TextVQA', 'ChartQA', 'OCRBench', 'RealWorldQA', 'BLINK', 'CV-Bench COCO', 'CV-Bench ADE', 'CV-Bench Omni3D']
const VC = [2, 0, 3, 1]
function scoresFor(i: number): number[] {
  const p = VC[i]!
  return [50 + i, 1400 + 20 * i, 60 + i, 55 + i, 60 + 2 * i, 30 + i, 50 + i, 25 + i, 40 - i, 20 - i, 30 - i, 45 + p, 40 + p, 50 + p, 48 + p, 52 + p]
}
const VQA_TEXT = [`model,${BENCHES.join(',')}`, ...[0, 1, 2, 3].map((i) => `toy-${i},${scoresFor(i).join(',')}`)].join('\n')

describe('MLE-Bench view in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]

  beforeAll(async () => {
    ;({ app, browser, page, errors } = await openApp())
    await page.goto(app.url)
  })
  afterAll(() => closeApp(app, browser))

  it('shows the empty state and the paper’s frontier models (Table 5) with intervals and the chance line', async () => {
    await page.click('[data-nav="mle"]')
    await page.getByTestId('mle-empty').waitFor()
    expect(await page.getByTestId('mle-empty').textContent()).toContain('Import evaluation outputs or look at the paper')
    const paper = page.getByTestId('mle-paper')
    await paper.locator('table.data').waitFor()
    const t = await readTable(paper.locator('table.data'))
    const gpt5 = t.rows.find((r) => r[0] === 'gpt-5')!
    expect(gpt5[t.col('0-30% acc')]).toBe('73.6')
    expect(gpt5[t.col('30-60% acc')]).toBe('90.7')
    expect(gpt5[t.col('60-100% acc')]).toBe('86.3')
    // 539 + 633 + 372 correct of 1,861 = 82.97%, as printed.
    expect(gpt5[t.col('Overall, sample-weighted')]).toBe('83.0')
    expect(gpt5[t.col('Overall as printed')]).toBe('83.0')
    expect(t.rows.map((r) => r[0])).toEqual(['gpt-5', 'gpt-4o-mini', 'gemini-2.5-flash', 'claude-opus-4-20250514'])
    expect(await paper.textContent()).toContain('arXiv:2509.26625, Table 5')
    const svg = (await paper.locator('.chart-canvas svg').first().textContent()) ?? ''
    expect(svg).toContain('chance 25%')
    expect(await page.getByTestId('mme-assumption').textContent()).toContain('divided by 20')
    await shot(page, 'mle-paper')
    expect(errors).toEqual([])
  })

  it('shows the published 7B category scores (Tables 3 and 6) as printed', async () => {
    const vqa = page.getByTestId('vqa')
    const t = await readTable(vqa.locator('table.data').first())
    const balanced = t.rows.find((r) => r[0] === 'Balanced (mix6)')!
    expect(balanced[t.col('General')]).toBe('49.59')
    expect(balanced[t.col('Vision-Centric')]).toBe('46.59')
    expect(balanced[t.col('Overall')]).toBe('38.64')
  })

  it('shows the backend’s sentence when an evaluation file does not exist', async () => {
    await page.getByTestId('eval-paths').fill('/no/such/answers.jsonl')
    await page.getByTestId('eval-import-submit').click()
    await page.getByTestId('eval-import-error').waitFor()
    expect(await page.getByTestId('eval-import-error').textContent()).toContain('/no/such/answers.jsonl')
    // The refused request itself is the only thing Chromium logs (an HTTP 400 of the loopback API); nothing else.
    expect(errors.every((e) => /status of 400/.test(e))).toBe(true)
    errors.length = 0
  })

  it('imports two lmms-eval files and shows per-bin accuracy, both overalls and the paired comparison', async () => {
    await page.getByTestId('eval-paths').fill(`${M1}\n${M2}`)
    await page.getByTestId('eval-models').fill('m1, m2')
    await page.getByTestId('eval-import-submit').click()
    const breakdown = page.getByTestId('mle-breakdown')
    await breakdown.locator('table.data').waitFor()
    expect(await page.getByTestId('mle-empty').count()).toBe(0)
    expect(await page.getByTestId('eval-runs').textContent()).toContain('lmms-eval')
    const t = await readTable(breakdown.locator('table.data'))
    expect(t.rows.map((r) => r[0])).toEqual(['m1', 'm2'])
    const m1 = t.rows[0]!
    expect(m1[t.col('0-30% acc')]).toBe('70.0')
    expect(m1[t.col('0-30% 95% CI')]).toBe('39.7–89.2')
    expect(m1[t.col('30-60% acc')]).toBe('62.5')
    expect(m1[t.col('Overall, sample-weighted')]).toBe('62.5')
    expect(m1[t.col('Overall, mean of bins')]).toBe('60.8')
    expect(m1[t.col('Unparsed')]).toBe('3')
    expect(t.rows[1]![t.col('0-30% acc')]).toBe('50.0')
    expect((await breakdown.locator('.chart-canvas svg').first().textContent()) ?? '').toContain('chance 25%')

    const paired = page.getByTestId('paired')
    await paired.locator('table.data').waitFor()
    const p = await readTable(paired.locator('table.data'))
    const byBin = Object.fromEntries(p.rows.map((r) => [r[0], r]))
    expect(byBin['0-30']![p.col('Shared')]).toBe('10')
    expect(byBin['0-30']![p.col('Δ accuracy')]).toBe('20.0')
    expect(byBin['0-30']![p.col('Exact McNemar')]).toBe('0.625')
    expect(byBin['all bins']![p.col('Exact McNemar')]).toBe('0.508')
    await shot(page, 'mle-imported')
    expect(errors).toEqual([])
  })

  it('browses the questions, filtered to those where the models disagree', async () => {
    const qs = page.getByTestId('questions')
    const table = qs.getByTestId('questions-table')
    await table.waitFor()
    expect(await page.getByTestId('disagreements-only').isChecked()).toBe(true)
    const disagree = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent ?? ''))
    expect(disagree.length).toBeGreaterThan(0)
    for (const r of disagree) {
      expect(r).toContain('✓')
      expect(r).toContain('✗')
    }
    expect(await table.locator('tbody tr').first().textContent()).toContain('Which of the following appears in this image?')
    await page.getByTestId('disagreements-only').uncheck()
    await qs.getByText('24 question(s)').waitFor()
    expect(await table.locator('tbody tr').count()).toBe(24)
    expect(disagree.length).toBeLessThan(24)
    await page.getByTestId('question-bin').selectOption('60-100')
    await qs.getByText('6 question(s)').waitFor()
    await page.getByTestId('disagreements-only').check()
    await page.getByTestId('question-bin').selectOption('')
    await qs.getByText(`${disagree.length} question(s)`).waitFor()
    // Thumbnails from a local folder with one image per question id.
    const imgs = tmpDir('pl-mle-images-')
    for (let q = 0; q < 24; q++) fs.copyFileSync(path.join(SHAPES, 'images', `${String(q).padStart(3, '0')}.png`), path.join(imgs.dir, `${q}.png`))
    await page.getByTestId('question-images').fill(imgs.dir)
    await page.getByTestId('question-images').press('Enter')
    await expect.poll(async () => table.locator('img.thumb').count()).toBe(disagree.length)
    expect(await table.locator('img.thumb').first().getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    await shot(page, 'mle-questions')
    imgs.cleanup()
    expect(errors).toEqual([])
  })

  it('computes VQA categories and their Spearman matrix next to the paper’s', async () => {
    await page.getByTestId('vqa-scores').fill(VQA_TEXT)
    await page.getByTestId('vqa-compute').click()
    const vqa = page.getByTestId('vqa')
    await vqa.getByTestId('spearman-p').waitFor()
    const p = await readTable(vqa.getByTestId('spearman-p'))
    const rho = Object.fromEntries(p.rows.map((r) => [r[0], r[1]]))
    expect(rho['General – Knowledge']).toBe('1.00')
    expect(rho['General – OCR & Chart']).toBe('-1.00')
    expect(rho['General – Vision-Centric']).toBe('0.00')
    expect(await vqa.textContent()).toContain('Assumption: MME is the perception score')
    // toy-0: General = (50 + 1400/20 + 60 + 55) / 4 = 58.75; Avg VQA = 735 / 16 = 45.94.
    const cats = await readTable(vqa.locator('table.data').nth(1))
    const toy0 = cats.rows.find((r) => r[0] === 'toy-0')!
    expect(toy0[cats.col('General')]).toBe('58.75')
    expect(toy0[cats.col('Avg VQA')]).toBe('45.94')
    const charts = await vqa.getByTestId('spearman').locator('.chart-canvas svg').allTextContents()
    expect(charts.join(' ')).toContain('105 3B models')
    await shot(page, 'mle-vqa')
    expect(errors).toEqual([])
  })
})
