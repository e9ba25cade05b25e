import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { evaluateVlm } from '../../src-main/core/vlm/evaluate'
import { Workspace } from '../../src-main/core/store/workspace'
import { FIXTURES } from '../helpers/fixtures'
import { writeShapesBenchmark } from '../helpers/shapesBenchmark'
import { tmpDir } from '../helpers/tmp'
import { closeApp, openApp, shot, type ServedApp } from './harness'

// The whole path of a local evaluation: the MLE-Bench view starts an `evaluate` job on the tiny LLaVA
// fixture and a synthetic MLE-Bench made from the shapes dataset, and the breakdown shows the run with
// the numbers the same evaluation gives when run directly.
const MODEL = path.join(FIXTURES, 'vlm', 'tiny-llava')
const N = 12

describe('evaluating a local vision-language model in Chromium', () => {
  let app: ServedApp, browser: Browser, page: Page, errors: string[]
  const t = tmpDir('pl-e2e-eval-')
  let bench: string
  let expected: { acc: Record<string, string>; n: number }

  beforeAll(async () => {
    bench = writeShapesBenchmark(path.join(t.dir, 'bench'), N).dir
    const ws = Workspace.open(path.join(t.dir, 'ws'))
    try {
      const r = await evaluateVlm(ws, { modelPath: MODEL, benchmarkPath: bench, limit: N, ep: 'cpu' })
      const m = r.breakdown.models[0]!
      expected = { n: m.n, acc: Object.fromEntries(Object.entries(m.bins).map(([k, b]) => [k, (100 * b.acc).toFixed(1)])) }
    } finally {
      ws.close()
    }
    ;({ app, browser, page, errors } = await openApp())
    await page.goto(app.url)
  })
  afterAll(async () => {
    await closeApp(app, browser)
    t.cleanup()
  })

  it('runs the evaluation as a job and shows its breakdown, then a blind run beside it', async () => {
    await page.click('[data-nav="mle"]')
    await page.getByTestId('eval-run-model').fill(MODEL)
    await page.getByTestId('eval-run-benchmark').fill(bench)
    await page.getByTestId('eval-run-limit').fill(String(N))
    await page.getByTestId('eval-run-submit').click()
    await page.getByTestId('eval-run-done').waitFor({ timeout: 240_000 })
    expect(await page.getByTestId('eval-run-done').textContent()).toContain(`tiny-llava: ${N} questions answered`)
    const breakdown = page.getByTestId('mle-breakdown')
    await breakdown.locator('table.data tbody tr').first().waitFor()
    const heads = (await breakdown.locator('table.data thead th').allTextContents()).map((h) => h.trim())
    const rows = await breakdown.locator('table.data tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())))
    const row = rows.find((r) => r[0] === 'tiny-llava')!
    expect(row).toBeDefined()
    for (const [bin, acc] of Object.entries(expected.acc)) expect(row[heads.findIndex((h) => h.startsWith(`${bin}% acc`))]).toBe(acc)

    await page.getByTestId('eval-run-blind').check()
    await page.getByTestId('eval-run-submit').click()
    await page.getByText('tiny-llava (blind):').waitFor({ timeout: 240_000 })
    await breakdown.locator('table.data tbody tr').nth(1).waitFor()
    const names = await breakdown.locator('table.data tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim()))
    expect(names).toEqual(['tiny-llava', 'tiny-llava (blind)'])
    await page.getByTestId('paired').locator('table.data').waitFor()
    await shot(page, 'mle-evaluated')
    expect(errors).toEqual([])
  })
})
