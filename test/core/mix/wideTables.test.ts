import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDelimited } from '../../../src-main/core/data/csv'
import { analyseMixture } from '../../../src-main/core/mix/analyseMixture'
import { detectLayout } from '../../../src-main/core/mix/layout'
import { competitionRanks } from '../../../src-main/core/mix/rankRecipes'
import { parseCsvTable, parseJsonTable } from '../../../src-main/core/mix/readTable'

// Tables with 100,000 columns are slow when done naively (lookups per column in arrays, the share-run
// search summing every prefix afresh). These run the whole analysis on such tables, made here, and check the
// results; the rewritten pieces are checked against the straightforward versions on small input.

const COLUMNS = 100_000

/** recipe, web, code (shares summing to 100), then COLUMNS metrics m0..; values follow a formula. */
function wideCsv(): string {
  const header = ['recipe', 'web', 'code', ...Array.from({ length: COLUMNS }, (_, j) => `m${j}`)]
  const rows = [0, 1, 2, 3].map((r) => [`r${r}`, String(40 + 10 * r), String(60 - 10 * r), ...Array.from({ length: COLUMNS }, (_, j) => String(((r + 1) * (j + 7)) % 97))])
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n'
}

describe('mixture tables with 100,000 columns', () => {
  it('reads, lays out and ranks a 100,000-column CSV', () => {
    const t = parseCsvTable(wideCsv(), 'wide.csv')
    expect(t.columns).toHaveLength(COLUMNS + 3)
    expect(t.numeric).toHaveLength(COLUMNS + 2)
    const layout = detectLayout(t)
    expect([layout.kind, layout.label, layout.shares]).toEqual(['recipes', 'recipe', ['web', 'code']])
    expect(layout.metrics).toHaveLength(COLUMNS)
    const a = analyseMixture(t)
    expect(a.target).toBe(`m${COLUMNS - 1}`)
    // m99999 = ((r + 1) * 100006) % 97 = (r + 1) * 96 % 97 for r = 0..3: 96, 95, 94, 93 → best is r0
    expect(a.best_observed?.recipe).toBe('r0')
    expect(a.best_observed?.[`m${COLUMNS - 1}`]).toBe(96)
    expect(a.table!.rows.map((r) => r.rank)).toHaveLength(4)
  })

  it('reads a 100,000-column JSON table in first-seen key order', () => {
    const rows = [0, 1].map((r) => Object.fromEntries([['recipe', `r${r}`], ...Array.from({ length: COLUMNS }, (_, j) => [`c${(j * 7919) % COLUMNS}`, r + j])]))
    const t = parseJsonTable(JSON.stringify(rows), 'wide.json')
    expect(t.columns.slice(0, 4)).toEqual(['recipe', 'c0', 'c7919', 'c15838'])
    expect(t.columns).toHaveLength(COLUMNS + 1)
  })

  it('finds the same share run as summing each prefix afresh', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (grid) => {
        const csv = ['label,a,b,c,d,e,f', ...grid.map((r, i) => `x${i},${r.join(',')}`)].join('\n')
        const t = parseCsvTable(csv, 't.csv')
        const expected = (() => {
          for (let k = 2; k <= 6; k++) {
            const near = t.rows.filter((r) => Math.abs(['a', 'b', 'c', 'd', 'e', 'f'].slice(0, k).reduce((s, c) => s + ((r[c] as number | null) ?? 0), 0) - 100) <= 1).length
            if (near * 2 >= t.rows.length && near > 0) return ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, k)
          }
          return []
        })()
        expect(detectLayout(t).shares).toEqual(expected)
      }),
      { numRuns: 300, seed: 8 },
    )
  })
})

describe('competitionRanks', () => {
  it('matches counting every better score pairwise (ties within eps, NaN last)', () => {
    const score = fc.oneof(fc.constantFrom(1, 1.5, 2, 2 + 1e-13, NaN), fc.double({ min: -5, max: 5, noNaN: true }))
    fc.assert(
      fc.property(fc.array(score, { maxLength: 30 }), fc.boolean(), (scores, lowerBetter) => {
        const eps = 1e-12
        const better = (a: number, b: number): boolean => (lowerBetter ? a < b : a > b)
        const naive = scores.map((s) => (Number.isNaN(s) ? scores.length : 1 + scores.filter((q) => !Number.isNaN(q) && better(q, s) && Math.abs(q - s) > eps).length))
        expect(competitionRanks(scores, lowerBetter, eps)).toEqual(naive)
      }),
      { numRuns: 500, seed: 3 },
    )
  })
})

describe('parseDelimited copies runs, with the same result as reading a character at a time', () => {
  it('agrees with the character-at-a-time reader on random text of quotes, delimiters and line ends', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', ',', '"', '""', '\n', '\r', '\r\n', 'x y'), { maxLength: 40 }).map((p) => p.join(''))
    fc.assert(
      fc.property(text, (s) => {
        let want: unknown
        let got: unknown
        try {
          want = charAtATime(s, ',')
        } catch (e) {
          want = (e as Error).message
        }
        try {
          got = parseDelimited(s, 't.csv', ',')
        } catch (e) {
          got = (e as Error).message
        }
        expect(got).toEqual(want)
      }),
      { numRuns: 3000, seed: 5 },
    )
  })

  it('reads a 50 MB quoted field and a 50 MB plain field', () => {
    const big = 'y'.repeat(50 << 20)
    const { rows } = parseDelimited(`a,b\n"${big}",${big}\n`, 't.csv', ',')
    expect(rows[1]!.map((f) => f.length)).toEqual([50 << 20, 50 << 20])
  })
})

/** The reader before run copying (one character appended at a time), as the reference. */
function charAtATime(text: string, delim: string): { rows: string[][]; lines: number[] } {
  const rows: string[][] = []
  const lines: number[] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let fieldWasQuoted = false
  let line = 1
  let rowLine = 1
  const endRow = (): void => {
    row.push(field)
    if (!(row.length === 1 && row[0]!.trim() === '' && !fieldWasQuoted)) {
      rows.push(row)
      lines.push(rowLine)
    }
    row = []
    field = ''
    fieldWasQuoted = false
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++
        field += ch
      }
      continue
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true
      fieldWasQuoted = true
      field = ''
    } else if (ch === delim) {
      row.push(field)
      field = ''
      fieldWasQuoted = false
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      endRow()
      line++
      rowLine = line
    } else field += ch
  }
  if (quoted) throw new Error(`t.csv: line ${rowLine}: a quoted field is never closed`)
  if (field !== '' || row.length > 0 || fieldWasQuoted) endRow()
  return { rows, lines }
}
