import { badInput } from '../../../common/errors'

/** Parses JSON Lines: one JSON object per non-blank line; errors name the file and the line. */
export function parseJsonl(file: string, text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (!line) continue
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch (e) {
      throw badInput(`${file}:${i + 1}`, `not valid JSON (${(e as Error).message}); expected one JSON object per line`)
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw badInput(`${file}:${i + 1}`, `expected a JSON object per line, got ${Array.isArray(v) ? 'an array' : typeof v}`)
    }
    out.push(v as Record<string, unknown>)
  }
  return out
}
