import { describe, expect, it } from 'vitest'
import { parsePrediction } from '../../../src-main/core/eval/parsePrediction'

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
