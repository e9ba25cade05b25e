/** A table cell as a number; empty or non-numeric cells (the papers leave some blank) are null. */
export function numberOrNull(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : null
}
