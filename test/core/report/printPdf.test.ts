import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { findChromium, requireChromium, writeReport } from '../../../src-main/core/report'
import { isAppError } from '../../../src-main/common/errors'
import { REPO_ROOT } from '../../helpers/fixtures'
import { sampleReportData } from './sampleReportData'

// End-to-end: print the sample report with Debian's Chromium and read it back with poppler-utils.
const chromium = findChromium()
const hasPoppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
const OUT = path.join(REPO_ROOT, 'test-output', 'report')

describe('requireChromium', () => {
  it('explains how to get Chromium when none is found', () => {
    try {
      requireChromium({ PATH: '/nonexistent' })
      if (findChromium({ PATH: '/nonexistent' })) return // a well-known install location exists here
      throw new Error('did not throw')
    } catch (e) {
      expect(isAppError(e) && e.code === 'UNAVAILABLE').toBe(true)
      expect((e as Error).message).toMatch(/install Debian's `chromium`.*PLATONIC_LAB_CHROMIUM/)
    }
  })
  it('rejects a PLATONIC_LAB_CHROMIUM that does not exist', () => {
    expect(() => findChromium({ PLATONIC_LAB_CHROMIUM: '/nonexistent/chromium', PATH: '' })).toThrow(/PLATONIC_LAB_CHROMIUM: \/nonexistent\/chromium is not an executable/)
  })
})

describe.skipIf(!chromium || !hasPoppler)(`PDF report${!chromium ? ' (skipped: no Chromium found; install Debian chromium or set PLATONIC_LAB_CHROMIUM)' : !hasPoppler ? ' (skipped: poppler-utils missing)' : ''}`, () => {
  const pdf = path.join(OUT, 'sample-a4.pdf')
  let text = ''
  let pages = 0
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true })
    for (const f of fs.readdirSync(OUT)) if (/^sample-a4-\d+\.png$/.test(f)) fs.rmSync(path.join(OUT, f))
    // test-output/ keeps the last run's files for inspection: each run replaces them.
    const r = await writeReport(sampleReportData(), { paper: 'A4', out: pdf, html: path.join(OUT, 'sample-a4.html'), overwrite: true })
    expect(r.pdf_bytes).toBeGreaterThan(10_000)
    text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1])
    // Pictures to look at by eye; kept in the git-ignored test-output folder.
    execFileSync('pdftoppm', ['-png', '-r', '60', pdf, path.join(OUT, 'sample-a4')])
  })

  it('has several A4 pages with page numbers', () => {
    expect(pages).toBeGreaterThanOrEqual(3)
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
    expect(info).toMatch(/Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/)
    expect(text).toContain(`page 1 of ${pages}`)
    expect(text).toContain(`page ${pages} of ${pages}`)
  })

  it('text holds section titles, data numbers, paper numbers and the SHA-256 hashes', () => {
    for (const t of ['Summary', 'Alignment', 'MLE-Bench: existence by object size', 'VQA categories', 'Data mixtures', 'Provenance']) expect(text).toContain(t)
    expect(text).toContain('0.300') // best alignment
    expect(text).toContain('73.6 (539/732)') // Table 5
    expect(text).toContain('mix10') // Table 2
    expect(text).toMatch(/\b[0-9a-f]{64}\b/)
    for (const m of sampleReportData().provenance.models) expect(text).toContain(m.sha256)
  })

  it('charts are vector: their axis labels are text and the PDF holds no raster images', () => {
    // Axis names and cell values exist only inside the SVG charts.
    for (const t of ['object size (% of image)', 'accuracy (%)', 'gpt-small layer', 'bits per byte (lower is better)', '★32.7', 'chance 25%', 'Pareto front: mix10, mix6, mix0']) expect(text).toContain(t)
    const images = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).trim().split('\n').slice(2)
    expect(images).toEqual([])
  })

  it('prints on Letter paper too', async () => {
    const letter = path.join(OUT, 'sample-letter.pdf')
    await writeReport(sampleReportData(), { paper: 'Letter', out: letter, sections: ['summary', 'mle'], overwrite: true })
    const info = execFileSync('pdfinfo', [letter], { encoding: 'utf8' })
    expect(info).toMatch(/Page size:\s+612 x 792 pts \(letter\)/)
    const t = execFileSync('pdftotext', [letter, '-'], { encoding: 'utf8' })
    expect(t).toContain('MLE-Bench')
    expect(t).not.toContain('Provenance')
  })

  it('a missing output folder is bad input naming the file', async () => {
    const bad = path.join(OUT, 'no-such-dir', 'x.pdf')
    await expect(writeReport(sampleReportData(), { paper: 'A4', out: bad })).rejects.toThrow(/no-such-dir\/x\.pdf: folder .* does not exist/)
  })
})
