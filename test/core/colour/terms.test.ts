import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { COLOUR_TERM_NAMES, CSS_COLOUR_TERMS, XKCD_COLOUR_TERMS, colourTerms, validateTerms } from '../../../src-main/core/colour/terms'
import { MODELS } from '../../helpers/fixtures'

describe('colour terms', () => {
  it('both palettes name the same 20 terms in the same order', () => {
    expect(COLOUR_TERM_NAMES).toHaveLength(20)
    expect(XKCD_COLOUR_TERMS.map((t) => t.name)).toEqual([...COLOUR_TERM_NAMES])
    expect(CSS_COLOUR_TERMS.map((t) => t.name)).toEqual([...COLOUR_TERM_NAMES])
    expect(colourTerms('css')).toBe(CSS_COLOUR_TERMS)
    expect(colourTerms()).toBe(XKCD_COLOUR_TERMS)
    expect(() => validateTerms(XKCD_COLOUR_TERMS)).not.toThrow()
  })

  it('every term is a single word of the bundled gpt-tiny vocabulary (no [UNK])', () => {
    const tok = JSON.parse(fs.readFileSync(path.join(MODELS, 'gpt-tiny', 'tokenizer.json'), 'utf8'))
    const vocab = tok.model.vocab as Record<string, number>
    const missing = COLOUR_TERM_NAMES.filter((w) => !(w in vocab))
    expect(missing).toEqual([])
  })

  it('rejects bad term lists with a message naming the problem', () => {
    expect(() => validateTerms(XKCD_COLOUR_TERMS.slice(0, 3))).toThrow(/at least 4/)
    expect(() => validateTerms([...XKCD_COLOUR_TERMS.slice(0, 4), XKCD_COLOUR_TERMS[0]!])).toThrow(/"red" appears twice/)
    expect(() => validateTerms([...XKCD_COLOUR_TERMS.slice(0, 4), { name: 'x', hex: 'red' }])).toThrow(/not #rrggbb/)
  })
})
