import { badInput } from '../../../common/errors'
import { checkJsonDepth, readUserLines } from '../../data/userText'

/**
 * Longest line of an evaluation `.jsonl`: longer is refused before it is decoded. lmms-eval lines carry
 * the question, its options and every response; a few KB is usual.
 */
export const MAX_EVAL_LINE_BYTES = 64 << 20

/** Parses JSON Lines: one JSON object per non-blank line; errors name the file and the line. */
export function parseJsonlLines(file: string, lines: readonly { text: string; line: number }[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const { text, line: n } of lines) {
    const line = text.trim()
    if (!line) continue
    checkJsonDepth(`${file}:${n}`, line)
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch (e) {
      throw badInput(`${file}:${n}`, `not valid JSON (${(e as Error).message}); expected one JSON object per line`)
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw badInput(`${file}:${n}`, `expected a JSON object per line, got ${Array.isArray(v) ? 'an array' : typeof v}`)
    }
    out.push(v as Record<string, unknown>)
  }
  return out
}

/**
 * Reads a `.jsonl` file the user named (a regular file; lines decoded one at a time, each at most
 * `MAX_EVAL_LINE_BYTES`) into records, with warnings for lines that are not valid UTF-8.
 */
export function readJsonl(file: string): { records: Record<string, unknown>[]; warnings: string[] } {
  const { lines, warnings } = readUserLines(file, { what: 'an evaluation file', maxLineBytes: MAX_EVAL_LINE_BYTES })
  return { records: parseJsonlLines(file, lines), warnings }
}
