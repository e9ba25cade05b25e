import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { parseDelimited } from '../../../src-main/core/data/csv'
import { toCsv } from '../../../src-main/common/charts/csv'
import { detectLayout, validateShares } from '../../../src-main/core/mix/layout'
import { parseCsvTable, parseJsonTable, readMixtureTable } from '../../../src-main/core/mix/readTable'
import { PAPER_TABLES } from '../../helpers/fixtures'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mix-read-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('parseDelimited', () => {
  it('handles quotes, doubled quotes, embedded delimiters and line breaks, CRLF and a BOM', () => {
    const text = '\ufeffa,b,c\r\n"x, y","say ""hi""",3\r\n"multi\nline",,5\r\n\r\n'
    const { rows, lines } = parseDelimited(text, 't.csv')
    expect(rows).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', '3'],
      ['multi\nline', '', '5'],
    ])
    expect(lines).toEqual([1, 2, 3])
  })
  it('sniffs semicolons and rejects an unclosed quote', () => {
    expect(parseDelimited('a;b\n1;2\n', 't.csv').rows).toEqual([['a', 'b'], ['1', '2']])
    expect(() => parseDelimited('a,b\n"1,2\n', 't.csv')).toThrow(/t\.csv: line 2: a quoted field is never closed/)
  })
  it('round-trips through toCsv', () => {
    const rows = [{ a: 'x, "y"', b: 1.5 }, { a: 'z', b: null }]
    const back = parseDelimited(toCsv(rows, ['a', 'b']), 'r.csv').rows
    expect(back).toEqual([['a', 'b'], ['x, "y"', '1.5'], ['z', '']])
  })
})

describe('readMixtureTable on the paper tables', () => {
  it('reads Table 1 as a 30-cell grid', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_mixture_grid.csv'))
    expect(t.rows).toHaveLength(30)
    expect(t.numeric).toEqual(['reasoning_pct', 'visual_pct', 'avg_vqa'])
    expect(t.rows[8]).toEqual({ reasoning_pct: 60, visual_pct: 15, avg_vqa: 32.7 })
    expect(detectLayout(t)).toMatchObject({ kind: 'grid', reasoning: 'reasoning_pct', visual: 'visual_pct', metrics: ['avg_vqa'] })
  })
  it('reads Table 2 as recipes with six source shares, three metrics and the printed rank', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_recipes.csv'))
    const l = detectLayout(t)
    expect(l).toEqual({
      kind: 'recipes',
      label: 'recipe',
      reasoning: 'reasoning',
      visual: 'visual',
      shares: ['web_crawl', 'encyclopedia', 'academic', 'literature', 'math', 'code'],
      metrics: ['t_acc', 'ppl', 'v_acc'],
      rank: 'overall_rank',
    })
    expect(t.decimals.web_crawl).toBe(1)
    expect(t.decimals.ppl).toBe(2)
    // mix1 sums to 99.9 and mix5 to 100.1: within the default 0.5-point tolerance.
    expect(validateShares(t, l.shares)).toEqual([])
    expect(validateShares(t, l.shares, { sumTolerance: 0.05 }).map((f) => f.label)).toEqual(['mix1', 'mix4', 'mix5'])
  })
  it('reads Table 4 as a per-source table', async () => {
    const t = await readMixtureTable(path.join(PAPER_TABLES, 'lsbs_source_categories.csv'))
    expect(detectLayout(t).kind).toBe('sources')
    expect(t.rows.map((r) => r.source)).toEqual(['web-crawl', 'encyclopedia', 'academia', 'literature', 'math', 'code'])
  })
})

describe('validation messages', () => {
  it('names the row and column of a non-numeric cell', () => {
    const csv = 'recipe,web,code,v_acc\nm0,50,50,32.1\nm1,40,60,abc\nm2,30,70,33\n'
    expect(() => parseCsvTable(csv, 'r.csv')).toThrow('r.csv: row 3 (m1), column "v_acc": expected a number, got "abc"')
  })
  it('rejects a share above 100 naming row and column, and flags (not rejects) a bad sum', () => {
    const t = parseCsvTable('recipe,web,code,v_acc\nm0,50,50,32\nm1,120,-20,33\nm2,30,60,31\n', 'r.csv')
    expect(() => validateShares(t, ['web', 'code'])).toThrow('r.csv: row 3 (m1), column "web": share 120 is outside [0, 100]')
    const ok = parseCsvTable('recipe,web,code,v_acc\nm0,50,50,32\nm1,40,50,33\n', 'r.csv')
    expect(validateShares(ok, ['web', 'code'])).toEqual([{ row: 3, label: 'm1', sum: 90 }])
  })
  it('names a missing column', () => {
    const t = parseCsvTable('reasoning,visual,score\n50,5,1\n60,10,2\n', 'g.csv')
    expect(() => detectLayout(t, { x: 'reason' })).toThrow('g.csv: no column "reason" (columns: reasoning, visual, score)')
  })
  it('rejects empty files, header-only files and headerless data', async () => {
    const empty = path.join(tmp, 'empty.csv')
    fs.writeFileSync(empty, '')
    await expect(readMixtureTable(empty)).rejects.toThrow('empty.csv: the file is empty')
    expect(() => parseCsvTable('a,b,c\n', 'h.csv')).toThrow('h.csv: has a header but no data rows')
    expect(() => parseCsvTable('50,5,30.7\n55,5,30.9\n', 'n.csv')).toThrow(/n\.csv: line 1 holds numbers .* add a header row/)
    await expect(readMixtureTable(path.join(tmp, 'nope.csv'))).rejects.toThrow(/file not found/)
    await expect(readMixtureTable(path.join(tmp, 'x.parquet'))).rejects.toThrow(/unsupported table format/)
  })
  it('rejects duplicate and ragged columns', () => {
    expect(() => parseCsvTable('a,a\n1,2\n', 'd.csv')).toThrow('d.csv: column "a" appears twice in the header')
    expect(() => parseCsvTable('a,b\n1,2,3\n', 'd.csv')).toThrow(/row 2 has 3 cells but the header names only 2 columns/)
  })
  it('treats NA and empty cells as missing and accepts 12.5% as 12.5', () => {
    const t = parseCsvTable('reasoning,visual,score\n50%,5,NA\n60,10,\n70,15,3\n', 'g.csv')
    expect(t.rows.map((r) => [r.reasoning, r.score])).toEqual([[50, null], [60, null], [70, 3]])
  })
})

describe('JSON and XLSX', () => {
  it('reads an array of row objects and {columns, rows} arrays', () => {
    const a = parseJsonTable(JSON.stringify([{ reasoning: 50, visual: 5, v: 1 }, { reasoning: 60, visual: 5, v: 2 }]), 'a.json')
    expect(a.columns).toEqual(['reasoning', 'visual', 'v'])
    const b = parseJsonTable(JSON.stringify({ columns: ['reasoning', 'visual', 'v'], rows: [[50, 5, 1], [60, 5, 2]] }), 'b.json')
    expect(b.rows[1]).toEqual({ reasoning: 60, visual: 5, v: 2 })
    expect(() => parseJsonTable(JSON.stringify({ columns: ['r', 'v'], rows: [[1, 2], [3, 'x'], [4, 5]] }), 'c.json')).toThrow('c.json: row 2, column "v": expected a number, got "x"')
    expect(() => parseJsonTable('{"rows": 3}', 'e.json')).toThrow(/expected an array of row objects/)
    expect(() => parseJsonTable('{oops', 'e.json')).toThrow(/not valid JSON/)
  })
  it('reads the first sheet of an .xlsx, skipping a title line, with row numbers from the sheet', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Table 1')
    ws.addRow(['Table 1 of the paper'])
    ws.addRow(['reasoning_pct', 'visual_pct', 'avg_vqa'])
    ws.addRow([50, 5, 30.7])
    ws.addRow([60, 15, { formula: '32.7', result: 32.7 }])
    ws.addRow([65, 'lots', 31])
    const file = path.join(tmp, 'grid.xlsx')
    await wb.xlsx.writeFile(file)
    await expect(readMixtureTable(file)).rejects.toThrow('grid.xlsx [Table 1]: row 5, column "visual_pct": expected a number, got "lots"')
    ws.getRow(5).getCell(2).value = 20
    await wb.xlsx.writeFile(file)
    const t = await readMixtureTable(file)
    expect(t.format).toBe('xlsx')
    expect(t.rows).toEqual([
      { reasoning_pct: 50, visual_pct: 5, avg_vqa: 30.7 },
      { reasoning_pct: 60, visual_pct: 15, avg_vqa: 32.7 },
      { reasoning_pct: 65, visual_pct: 20, avg_vqa: 31 },
    ])
    expect(t.rowNumbers).toEqual([3, 4, 5])
  })
})
