import { describe, expect, it } from 'vitest'
import { availableSections, buildReportHtml, chosenSections, parsePaper, parseSections, summaryLines } from '../../../src-main/core/report'
import { isAppError } from '../../../src-main/common/errors'
import type { ReportData } from '../../../src-main/core/report/types'
import { sampleReportData } from './sampleReportData'

const bare = (): ReportData => ({
  provenance: { appVersion: '0.1.0', generatedAt: '2025-01-01T00:00:00Z', models: [], datasets: [], parameters: {}, ep: 'cpu', timings: [] },
})

describe('buildReportHtml', () => {
  const data = sampleReportData()
  const html = buildReportHtml(data, { paper: 'A4' })

  it('has every section title, in order, and the title page', () => {
    const titles = ['1 Summary', '2 Alignment', '3 Maps', '4 MLE-Bench', '5 VQA categories', '6 Data mixtures', '7 Colour', '8 Provenance']
    let at = html.indexOf('Platonic Lab report — test sample')
    expect(at).toBeGreaterThan(0)
    for (const t of titles) {
      const i = html.indexOf(`<h1>${t}`)
      expect(i, t).toBeGreaterThan(at)
      at = i
    }
  })

  it('is self-contained: inline SVG charts, no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/url\(\s*["']?https?:/i)
    expect(html).toContain("default-src 'none'")
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(12)
  })

  it('prints the provenance hashes, the data numbers and the paper numbers', () => {
    for (const m of data.provenance.models) expect(html).toContain(m.sha256)
    expect(html).toContain(data.provenance.datasets[0]!.sha256)
    expect(html).toMatch(/[0-9a-f]{64}/)
    // alignment: best pair gpt-tiny × gpt-small = 0.2609 * 1.15
    expect(html).toContain((0.2609 * 1.15).toFixed(3))
    // MLE (Table 5): gpt-5 small-object bin, 539/732 correct
    expect(html).toContain('73.6 (539/732)')
    // Mixture grid best cell (Table 1) and the numpy fit's R²
    expect(html).toContain('★32.7')
    expect(html).toContain('0.794')
    // VQA paper correlation (Figure 5)
    expect(html).toContain('-0.10')
  })

  it('uses the requested paper size', () => {
    expect(html).toContain('size: A4')
    expect(buildReportHtml(data, { paper: 'Letter' })).toContain('size: letter')
  })

  it('prints only the chosen sections that have data', () => {
    const h = buildReportHtml(data, { paper: 'A4', sections: ['mle', 'provenance'] })
    expect(h).toContain('<h1>1 MLE-Bench')
    expect(h).toContain('<h1>2 Provenance')
    expect(h).not.toContain('Alignment</h1>')
    expect(chosenSections(bare(), ['mle', 'provenance'])).toEqual(['provenance'])
  })

  it('leaves out sections without data', () => {
    expect(availableSections(bare())).toEqual(['summary', 'provenance'])
    const h = buildReportHtml(bare(), { paper: 'A4' })
    expect(h).toContain('No results yet.')
    expect(h).not.toContain('<svg')
  })

  it('escapes user-controlled text', () => {
    const d = sampleReportData()
    d.alignment!.models[0]!.name = '<img src=x onerror=alert(1)>'
    d.alignment!.pairs[0]!.a = '<img src=x onerror=alert(1)>'
    const h = buildReportHtml(d, { paper: 'A4' })
    expect(h).not.toContain('<img src=x')
    expect(h).toContain('&lt;img src=x')
  })

  it('rejects unknown sections and paper sizes as bad input naming the flag', () => {
    const bad = (f: () => unknown, re: RegExp) => {
      try {
        f()
        throw new Error('did not throw')
      } catch (e) {
        expect(isAppError(e) && e.code === 'BAD_INPUT').toBe(true)
        expect((e as Error).message).toMatch(re)
      }
    }
    bad(() => parseSections('mle,plots'), /^sections: unknown section "plots"/)
    bad(() => parseSections(''), /^sections: no section/)
    bad(() => parsePaper('A3'), /^paper: expected A4 or Letter, got "A3"/)
    expect(parsePaper('letter')).toBe('Letter')
    expect(parsePaper(undefined)).toBe('A4')
  })

  it('summarises the headline numbers', () => {
    const lines = summaryLines(data).join('\n')
    expect(lines).toContain('Highest mutual_knn: gpt-tiny × gpt-small = 0.300 at layers 4, 3')
    expect(lines).toContain('best overall (weighted) gpt-5 at 83.0%')
    expect(lines).toContain('best observed avg VQA 32.7 at reasoning % 60, visual % 15')
    expect(lines).toContain('Pareto-optimal on t_acc and v_acc: mix10, mix6, mix0')
  })
})

describe('calibration subsection', () => {
  it('appears only when some pair is calibrated: method, citation, calibrated matrix with BH marks, table and the null histogram', async () => {
    const { calibrationHtml, CALIBRATION_SOURCE } = await import('../../../src-main/core/report/sections/alignment')
    const data = sampleReportData()
    const s = data.alignment!
    const metric = Object.keys(s.pairs[0]!.result.metrics)[0]!
    expect(calibrationHtml(s, metric)).toBe('')
    const nulls = Array.from({ length: 19 }, (_, t) => 0.05 + t * 0.001)
    s.pairs.forEach((p, t) => {
      const r = p.result.metrics[metric]!
      r.calibration = { permutations: 19, alpha: 0.05, aggregate: 'max', threshold: 0.068, p_value: t === 0 ? 0.05 : 0.5, score: t === 0 ? 0.25 : 0, null_mean: 0.059, null_sd: 0.0056, note: null, null_values: nulls }
      r.p_adjusted = t === 0 ? 0.05 : 0.5
    })
    const html = calibrationHtml(s, metric)
    expect(html).toContain('Calibration against the permutation null of the layer search')
    expect(html).toContain(CALIBRATION_SOURCE)
    expect(html).toContain('arXiv:2602.14486')
    expect(html).toMatch(/0\.250 \*/) // the significant pair, marked in the table
    expect((html.match(/<svg /g) ?? []).length).toBe(2) // calibrated matrix and null histogram
    const full = buildReportHtml(data, { paper: 'A4' })
    expect(full).toContain('Calibration against the permutation null')
  })
})
