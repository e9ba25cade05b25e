/** The outcome of reading a free-text answer against the options. */
export interface ParsedPrediction {
  /** 'A', 'B', ... or null when nothing matched (the answer then counts as wrong and as unparsed). */
  letter: string | null
  rule: 'letter' | 'exact' | 'contains' | null
}

/** Case-insensitive pattern for a word without making the letter classes case-insensitive too. */
const ci = (w: string): string => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join('')

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim().toLowerCase()

/**
 * Longest prediction read whole, in UTF-16 code units. A longer one is read as its first and last
 * `MAX_PREDICTION_CHARS / 2` characters joined by "…" (which no rule matches across): the letter
 * rules look at the start, the end and an "answer is" anywhere, and an answer a model buries in the
 * middle of 64 KB of text is not one this parser is meant to find. Keeps the work per answer bounded.
 */
export const MAX_PREDICTION_CHARS = 65536

/** `text`, or its head and tail when longer than `MAX_PREDICTION_CHARS` (see there). */
export function boundedPrediction(text: string): string {
  if (text.length <= MAX_PREDICTION_CHARS) return text
  const half = MAX_PREDICTION_CHARS / 2
  return `${text.slice(0, half)}\u2026${text.slice(text.length - half)}`
}

/**
 * Reads a model's free-text answer to a multiple-choice question, in the order the LSBS paper uses:
 * 1. an explicit letter: "The correct answer is (B)", "the answer is B", "Answer: B", output starting
 *    with "(B)" / "B." / "B)" / "B:", output ending with "(B)", or a bare "B" / "B." / "(B)";
 * 2. the whole output equals one option's text (case-insensitive, surrounding whitespace and a final
 *    period ignored);
 * 3. option texts contained in the output (case-insensitive substring), the longest winning; equal
 *    lengths go to the one appearing first.
 * Letters outside the options (e.g. "E" with four choices) are not matches.
 * Linear time: no pattern has adjacent quantifiers that can match the same characters, and long
 * predictions are cut first (`boundedPrediction`).
 */
export function parsePrediction(raw: string, choices: readonly string[]): ParsedPrediction {
  const k = choices.length
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, Math.min(k, 26))
  const ok = (l: string | undefined): string | null => {
    if (!l) return null
    const u = l.toUpperCase()
    return letters.includes(u) ? u : null
  }
  const text = boundedPrediction(raw.trim())
  if (letters.length > 0) {
    const L = `[${letters}${letters.toLowerCase()}]`
    const U = `[${letters}]`
    // Only a capital letter counts after "answer is" unless bracketed: "the answer is a cat" names no option.
    const after = `(?:[(\\[](${L})[)\\]]|(${U})(?![A-Za-z]))`
    const patterns: RegExp[] = [
      new RegExp(`^[(\\[]?(${L})[)\\]]?\\.?$`), // bare "B", "B.", "(B)"
      // `\s*(?::\s*)?`, not `\s*:?\s*`: two adjacent runs that can both take the same spaces backtrack
      // over every split of a long run of spaces (quadratic in its length).
      new RegExp(`${ci('answer')}\\s+${ci('is')}\\s*(?::\\s*)?${after}`), // "(the correct) answer is (B)"
      new RegExp(`${ci('answer')}\\s*:\\s*${after}`), // "Answer: B"
      new RegExp(`^[(\\[](${L})[)\\]]`), // starts with "(B)"
      new RegExp(`^(${U})[.):](?:\\s|$)`), // starts with "B." / "B)" / "B:"
      new RegExp(`[(\\[](${L})[)\\]]\\.?$`), // ends with "(B)"
    ]
    for (const re of patterns) {
      const m = re.exec(text)
      const l = ok(m?.[1] ?? m?.[2])
      if (l) return { letter: l, rule: 'letter' }
    }
  }
  const t = norm(text).replace(/\.$/, '').trim()
  if (t) {
    for (let i = 0; i < k; i++) {
      if (norm(choices[i]!) === t) return { letter: letters[i] ?? null, rule: 'exact' }
    }
    const hay = norm(text)
    let best = -1
    let bestLen = 0
    let bestPos = Infinity
    for (let i = 0; i < k; i++) {
      const opt = norm(choices[i]!)
      if (!opt) continue
      const pos = hay.indexOf(opt)
      if (pos < 0) continue
      if (opt.length > bestLen || (opt.length === bestLen && pos < bestPos)) {
        best = i
        bestLen = opt.length
        bestPos = pos
      }
    }
    if (best >= 0 && best < letters.length) return { letter: letters[best]!, rule: 'contains' }
  }
  return { letter: null, rule: null }
}
