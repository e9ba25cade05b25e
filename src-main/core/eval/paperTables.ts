import { badInput } from '../../common/errors'
import { parseDelimited } from './read/table'
import { PUBLISHED_BIN_SIZES } from './types'
import type { PaperFrontierEntry } from '../../common/contract/eval'

const num = (file: string, row: number, col: string, v: unknown): number => {
  const x = typeof v === 'number' ? v : Number(String(v ?? '').trim())
  if (v === null || v === '' || !Number.isFinite(x)) throw badInput(`${file}:${row}`, `${col} is not a number (${JSON.stringify(v)})`)
  return x
}

/**
 * The paper's frontier-model MLE-Bench table (LSBS Table 5, lsbs_mle_frontier.csv: model, acc_0_30,
 * acc_30_60, acc_60_100 in percent, overall_weighted) as bin summaries over the published bin sizes
 * 732 / 698 / 431; summaryBreakdown then takes correct = round(acc · n) and Wilson intervals.
 */
export function frontierFromPaper(csvText: string, file = 'lsbs_mle_frontier.csv'): PaperFrontierEntry[] {
  const rows = parseDelimited(file, csvText, ',')
  const need = ['model', 'acc_0_30', 'acc_30_60', 'acc_60_100']
  const cols = rows.length ? Object.keys(rows[0]!) : []
  const lacking = need.filter((c) => !cols.includes(c))
  if (lacking.length) throw badInput(file, `missing column(s) ${lacking.join(', ')}; expected ${need.join(', ')}, overall_weighted`)
  return rows.map((r, i) => ({
    model: String(r.model),
    source: { file, harness: 'paper', shape: 'table', judge: null },
    bins: {
      '0-30': { n: PUBLISHED_BIN_SIZES['0-30'], acc: num(file, i + 2, 'acc_0_30', r.acc_0_30) / 100 },
      '30-60': { n: PUBLISHED_BIN_SIZES['30-60'], acc: num(file, i + 2, 'acc_30_60', r.acc_30_60) / 100 },
      '60-100': { n: PUBLISHED_BIN_SIZES['60-100'], acc: num(file, i + 2, 'acc_60_100', r.acc_60_100) / 100 },
    },
    estimated: true,
    warnings: [],
    publishedOverall: r.overall_weighted === null || r.overall_weighted === undefined || r.overall_weighted === '' ? null : num(file, i + 2, 'overall_weighted', r.overall_weighted) / 100,
  }))
}

/** The paper's category Spearman matrix (lsbs_category_spearman.csv, LSBS Fig. 5), for display next to ours. */
export function paperCategorySpearman(csvText: string, file = 'lsbs_category_spearman.csv'): { categories: string[]; rho: number[][] } {
  const rows = parseDelimited(file, csvText, ',')
  const categories = rows.map((r) => String(r.category))
  const rho = rows.map((r, i) => categories.map((c) => num(file, i + 2, c, r[c])))
  return { categories, rho }
}
