import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { barCentreOffset, fmtNum, leastSquaresLine, paretoFront, textOn, toCsv } from '../../../src-main/common/charts'
import { neutraliseFormula } from '../../../src-main/common/charts/csv'

describe('leastSquaresLine', () => {
  it('recovers an exact line and ignores non-finite pairs', () => {
    const r = leastSquaresLine([1, 2, 3, NaN, 4], [3, 5, 7, 100, 9])!
    expect(r.slope).toBeCloseTo(2, 12)
    expect(r.intercept).toBeCloseTo(1, 12)
  })
  it('matches numpy.polyfit on a noisy sample', () => {
    // numpy.polyfit([0,1,2,3,4],[1.0,2.9,5.2,6.8,9.1],1) -> [2.01, 0.98] (computed with numpy 1.24)
    const r = leastSquaresLine([0, 1, 2, 3, 4], [1.0, 2.9, 5.2, 6.8, 9.1])!
    expect(r.slope).toBeCloseTo(2.01, 10)
    expect(r.intercept).toBeCloseTo(0.98, 10)
  })
  it('is null without two distinct x', () => {
    expect(leastSquaresLine([1], [2])).toBeNull()
    expect(leastSquaresLine([2, 2, 2], [1, 2, 3])).toBeNull()
  })
})

describe('paretoFront', () => {
  const dominated = (p: { x: number; y: number }, q: { x: number; y: number }) => q.x >= p.x && q.y >= p.y && (q.x > p.x || q.y > p.y)
  it('equals the brute-force set of non-dominated points', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ x: fc.integer({ min: 0, max: 8 }), y: fc.integer({ min: 0, max: 8 }) }), { minLength: 1, maxLength: 30 }), (pts) => {
        const front = paretoFront(pts)
        const brute = pts.filter((p) => !pts.some((q) => dominated(p, q)))
        expect(new Set(front)).toEqual(new Set(brute))
      }),
    )
  })
  it('handles minimisation on x (e.g. perplexity)', () => {
    const f = paretoFront([{ x: 13.46, y: 32.4 }, { x: 13.52, y: 33.3 }, { x: 13.88, y: 33.4 }, { x: 13.71, y: 33.2 }], false, true)
    expect(f.map((p) => p.x)).toEqual([13.46, 13.52, 13.88])
  })
})

describe('helpers', () => {
  it('fmtNum keeps small scores meaningful and never prints NaN', () => {
    expect(fmtNum(0.153)).toBe('0.153')
    expect(fmtNum(0.00978)).toBe('0.00978')
    expect(fmtNum(0, 2)).toBe('0.00')
    expect(fmtNum(NaN)).toBe('–')
    expect(fmtNum(null)).toBe('–')
  })
  it('bar offsets are symmetric around the band centre', () => {
    expect(barCentreOffset(0, 1)).toBeCloseTo(0, 12)
    for (const n of [2, 3, 4, 7]) for (let s = 0; s < n; s++) expect(barCentreOffset(s, n)).toBeCloseTo(-barCentreOffset(n - 1 - s, n), 12)
  })
  it('label colour contrasts with the fill', () => {
    expect(textOn('#08306b')).toBe('#ffffff')
    expect(textOn('#f7fbff')).toBe('#111111')
  })
})

describe('toCsv (RFC 4180)', () => {
  it('quotes commas, quotes and newlines, uses CRLF, blanks missing values', () => {
    const csv = toCsv(
      [
        { model: 'a,b', acc: 0.5, note: 'say "hi"', ci: [0.4, 0.6] },
        { model: 'line\nbreak', acc: NaN, note: undefined, ci: null },
      ],
      ['model', { key: 'acc', header: 'accuracy' }, 'note', 'ci'],
    )
    expect(csv).toBe('model,accuracy,note,ci\r\n"a,b",0.5,"say ""hi""",0.4;0.6\r\n"line\nbreak",,,\r\n')
  })
  it('round-trips through a minimal RFC 4180 parser', () => {
    const parse = (s: string) => {
      const rows: string[][] = []
      let row: string[] = []
      let f = ''
      let q = false
      for (let i = 0; i < s.length; i++) {
        const c = s[i]!
        if (q) {
          if (c === '"' && s[i + 1] === '"') { f += '"'; i++ } else if (c === '"') q = false
          else f += c
        } else if (c === '"') q = true
        else if (c === ',') { row.push(f); f = '' }
        else if (c === '\r' && s[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++ }
        else f += c
      }
      return rows
    }
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (vals) => {
        const cols = vals.map((_, i) => `c${i}`)
        const row = Object.fromEntries(vals.map((v, i) => [`c${i}`, v]))
        expect(parse(toCsv([row], cols))).toEqual([cols, vals.map(neutraliseFormula)])
      }),
    )
  })
  it('neutralises text that a spreadsheet would run as a formula; numbers stay numbers', () => {
    const row = { a: '=HYPERLINK("http://x","y")', b: '+1+2', c: '-2+3', d: '@SUM(A1)', e: '\tcmd', f: '\r=1', g: -3.5, h: '-3.5', i: '1e-7', j: 'plain', k: [-0.4, 0.6] }
    const csv = toCsv([row], Object.keys(row))
    expect(csv.split('\r\n')[1]).toBe(`"'=HYPERLINK(""http://x"",""y"")",'+1+2,'-2+3,'@SUM(A1),'\tcmd,"'\r=1",-3.5,-3.5,1e-7,plain,'-0.4;0.6`)
    // Independent of toCsv: the first character of every written text cell is not a formula start.
    for (const s of ['=1', '+a', '-a', '@a', '\t', '\r']) expect(neutraliseFormula(s)[0]).toBe("'")
    for (const s of ['-1', '+2.5', '-.5', '3E+8', '0', 'x=1']) expect(neutraliseFormula(s)).toBe(s)
  })
})
