import { BIN_KEYS, type MleResult, type ModelBreakdown } from '../../../../src-main/common/contract/eval'
import type { Column } from '../DataTable.vue'

/** The paper's names for the four VQA categories (LSBS Appendix B.2). */
export const CATEGORY_LABELS: Record<string, string> = {
  general: 'General',
  knowledge: 'Knowledge',
  ocr_chart: 'OCR & Chart',
  vision_centric: 'Vision-Centric',
}
export const categoryLabel = (c: string): string => CATEGORY_LABELS[c] ?? c

export const PAPER_CITATION = 'Han et al., Learning to See Before Seeing, arXiv:2509.26625'

/** A fraction as a percentage with one decimal, the precision the paper prints. */
export function pct(x: number | null | undefined, digits = 1): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : +(x * 100).toFixed(digits)
}

export function ciText(ci: [number, number] | null | undefined): string {
  return ci ? `${(ci[0] * 100).toFixed(1)}–${(ci[1] * 100).toFixed(1)}` : '—'
}

/** Table columns of a breakdown: per bin accuracy and its interval, then both overall accuracies, labelled. */
export function breakdownColumns(extra: Column[] = []): Column[] {
  return [
    { key: 'model', label: 'Model' },
    { key: 'n', label: 'Questions' },
    ...BIN_KEYS.flatMap((b): Column[] => [
      { key: `acc_${b}`, label: `${b}% acc`, digits: 1, better: 'higher' },
      { key: `ci_${b}`, label: `${b}% 95% CI` },
    ]),
    { key: 'overall_weighted', label: 'Overall, sample-weighted (paper)', digits: 1, better: 'higher' },
    { key: 'overall_unweighted', label: 'Overall, mean of bins (lmms-eval)', digits: 1, better: 'higher' },
    ...extra,
  ]
}

export function breakdownRow(m: ModelBreakdown): Record<string, unknown> {
  const row: Record<string, unknown> = { model: m.name, n: m.n, unparsed: m.unparsed }
  for (const b of BIN_KEYS) {
    row[`acc_${b}`] = pct(m.bins[b]?.acc)
    row[`ci_${b}`] = ciText(m.bins[b]?.ci95)
  }
  row.overall_weighted = pct(m.overall_weighted)
  row.overall_unweighted = pct(m.overall_unweighted)
  return row
}

/** The bar chart's data: accuracy and interval per model and bin. */
export function binBarsData(r: MleResult, title?: string) {
  return {
    bins: [...BIN_KEYS],
    models: r.models.map((m) => ({ name: m.name, bins: BIN_KEYS.map((b) => (m.bins[b] ? { acc: m.bins[b].acc, ci95: m.bins[b].ci95 } : null)) })),
    chance: r.chance,
    title,
  }
}

export { errorText } from '../../composables/useAction'
