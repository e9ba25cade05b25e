import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { boundedPrediction, MAX_PREDICTION_CHARS, parsePrediction } from '../../../src-main/core/eval/parsePrediction'

const C = ['curtain', 'television', 'cabinet', 'mirror']
const CAR = ['red car', 'car', 'lamp', 'sofa']

// [output, choices, expected letter, expected rule]
const cases: [string, string[], string | null, string | null][] = [
  // 1. explicit letters
  ['The correct answer is (B)', C, 'B', 'letter'],
  ['the answer is C', C, 'C', 'letter'],
  ['The answer is: D.', C, 'D', 'letter'],
  ['Answer: B', C, 'B', 'letter'],
  ['answer:(a)', C, 'A', 'letter'],
  ['ANSWER: C because it is there', C, 'C', 'letter'],
  ['(B) television', C, 'B', 'letter'],
  ['[C] cabinet', C, 'C', 'letter'],
  ['I looked carefully and chose (D)', C, 'D', 'letter'],
  ['I looked carefully and chose (D).', C, 'D', 'letter'],
  ['B', C, 'B', 'letter'],
  ['B.', C, 'B', 'letter'],
  ['  c  ', C, 'C', 'letter'],
  ['(A)', C, 'A', 'letter'],
  ['A. curtain', C, 'A', 'letter'],
  ['D) mirror', C, 'D', 'letter'],
  // letter patterns take precedence over option text
  ['Answer: A, not the mirror', C, 'A', 'letter'],
  // letters outside the option range are no match
  ['E', C, null, null],
  ['The answer is (E)', C, null, null],
  // "a" as an article after "the answer is" names no option; the option text then decides
  ['The answer is a mirror', C, 'D', 'contains'],
  // 2. exact option text, case-insensitive
  ['Television', C, 'B', 'exact'],
  ['  CABINET. ', C, 'C', 'exact'],
  ['car', CAR, 'B', 'exact'],
  // 3. contained option text, the longest winning
  ['I can see a red car parked there', CAR, 'A', 'contains'],
  ['There is a car and a lamp', CAR, 'C', 'contains'], // 'lamp' is longer than 'car'
  ['It is a mirror on the wall', C, 'D', 'contains'],
  // equal lengths: the one appearing first
  ['a lamp next to a sofa', CAR, 'C', 'contains'],
  // nothing
  ['I am not sure.', C, null, null],
  ['', C, null, null],
  ['A cat sits there', C, null, null],
]

describe('parsePrediction', () => {
  it.each(cases)('%j → %s', (raw, choices, letter, rule) => {
    expect(parsePrediction(raw, choices)).toEqual({ letter, rule })
  })
  it('handles more than four options', () => {
    expect(parsePrediction('Answer: E', ['a1', 'b1', 'c1', 'd1', 'e1']).letter).toBe('E')
  })
  it('ignores blank options (rule 1 only when the options are unknown)', () => {
    expect(parsePrediction('cabinet', ['', '', '', ''])).toEqual({ letter: null, rule: null })
    expect(parsePrediction('(C)', ['', '', '', ''])).toEqual({ letter: 'C', rule: 'letter' })
  })
})

describe('parsePrediction on hostile and long input', () => {
  // Each of these is quadratic for an `answer\s+is\s*:?\s*` pattern (two runs that can take the same spaces);
  // linear parsing finishes them well inside the test's default timeout.
  const filler = 'lorem ipsum dolor sit amet '.repeat(8000) // 216 KB
  it.each([
    ['"the answer is" and 200,000 spaces', `the answer is${' '.repeat(200_000)}x`, null],
    ['"answer is:" and 200,000 spaces, then (B) at the end', `The answer is:${' '.repeat(200_000)}(B)`, 'B'],
    ['"answer is " repeated 20,000 times', 'answer is '.repeat(20_000), null],
    ['200,000 tabs and newlines', '\t\n'.repeat(100_000), null],
    ['an answer at the start of 216 KB', `Answer: C. ${filler}`, 'C'],
    ['an answer at the end of 216 KB', `${filler} so I pick (D)`, 'D'],
  ])('%s', (_name, raw, letter) => {
    expect(parsePrediction(raw, C).letter).toBe(letter)
  })

  it('reads a long prediction as its first and last 32 Ki characters (an answer buried in the middle is not found)', () => {
    const half = MAX_PREDICTION_CHARS / 2
    const middle = `${'x '.repeat(half)} the answer is B ${'y '.repeat(half)}`
    expect(parsePrediction(middle, C)).toEqual({ letter: null, rule: null })
    const b = boundedPrediction(middle)
    expect(b.length).toBe(MAX_PREDICTION_CHARS + 1)
    expect([b.slice(0, half), b.slice(half + 1)]).toEqual([middle.slice(0, half), middle.slice(-half)])
    expect(boundedPrediction('short')).toBe('short')
    // The joint matches nothing: an "answer is" cut before its letter does not take the tail's first letter.
    const joint = `${'z'.repeat(half - 10)}answer is ${'q'.repeat(100)}B. ${'y'.repeat(half - 3)}`
    expect(boundedPrediction(joint)).toContain('answer is \u2026B. y')
    expect(parsePrediction(joint, C)).toEqual({ letter: null, rule: null })
  })

  it('agrees with the earlier parser (its patterns kept here as the reference) on short answers made of the risky pieces', () => {
    const piece = fc.constantFrom('answer', 'Answer', 'the', 'is', ' ', '  ', '\t', '\n', ':', '::', '(', ')', '[', ']', 'B', 'b', 'E', 'a', '.', 'x', 'mirror', 'tele')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const text = parts.join('')
        expect(parsePrediction(text, C)).toEqual(earlierParser(text, C))
      }),
      { numRuns: 3000, seed: 19 },
    )
  })
})

/** The parser before linear-time patterns (quadratic on long runs of spaces), as the reference for short input. */
function earlierParser(raw: string, choices: readonly string[]): { letter: string | null; rule: string | null } {
  const ci = (w: string): string => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join('')
  const norm = (x: string): string => x.replace(/\s+/g, ' ').trim().toLowerCase()
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, Math.min(choices.length, 26))
  const ok = (l: string | undefined): string | null => (l && letters.includes(l.toUpperCase()) ? l.toUpperCase() : null)
  const text = raw.trim()
  const L = `[${letters}${letters.toLowerCase()}]`
  const U = `[${letters}]`
  const after = `(?:[(\\[](${L})[)\\]]|(${U})(?![A-Za-z]))`
  for (const re of [
    new RegExp(`^[(\\[]?(${L})[)\\]]?\\.?$`),
    new RegExp(`${ci('answer')}\\s+${ci('is')}\\s*:?\\s*${after}`),
    new RegExp(`${ci('answer')}\\s*:\\s*${after}`),
    new RegExp(`^[(\\[](${L})[)\\]]`),
    new RegExp(`^(${U})[.):](?:\\s|$)`),
    new RegExp(`[(\\[](${L})[)\\]]\\.?$`),
  ]) {
    const m = re.exec(text)
    const l = ok(m?.[1] ?? m?.[2])
    if (l) return { letter: l, rule: 'letter' }
  }
  const t = norm(text).replace(/\.$/, '').trim()
  if (!t) return { letter: null, rule: null }
  for (let i = 0; i < choices.length; i++) if (norm(choices[i]!) === t) return { letter: letters[i] ?? null, rule: 'exact' }
  let best = -1
  let bestLen = 0
  let bestPos = Infinity
  choices.forEach((c, i) => {
    const opt = norm(c)
    const pos = opt ? norm(text).indexOf(opt) : -1
    if (pos >= 0 && (opt.length > bestLen || (opt.length === bestLen && pos < bestPos))) [best, bestLen, bestPos] = [i, opt.length, pos]
  })
  return best >= 0 ? { letter: letters[best]!, rule: 'contains' } : { letter: null, rule: null }
}
