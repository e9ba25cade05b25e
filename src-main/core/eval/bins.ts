import type { BinKey } from './types'

/**
 * Maps the data's own size label to a bin key, never re-binning: 'existence_0-30', '0-30', '0–30%',
 * 'small (0-30)' all name the 0–30 bin; 'small'/'medium'/'large' are the lmms-eval task's category names
 * for the same three sub-tasks. Returns null for anything else.
 */
export function binKeyOf(label: unknown): BinKey | null {
  if (typeof label !== 'string') return null
  const s = label.trim().toLowerCase()
  const m = /(?:^|[^0-9])(0|30|60)\s*(?:%\s*)?(?:-|–|—|_|to)\s*(30|60|100)\s*%?(?![0-9])/.exec(s)
  if (m) {
    const key = `${m[1]}-${m[2]}`
    if (key === '0-30' || key === '30-60' || key === '60-100') return key
    return null
  }
  if (s === 'small') return '0-30'
  if (s === 'medium') return '30-60'
  if (s === 'large') return '60-100'
  return null
}

export const EXPECTED_BIN_LABELS = "'existence_0-30', 'existence_30-60', 'existence_60-100' (or labels carrying 0-30 / 30-60 / 60-100)"
