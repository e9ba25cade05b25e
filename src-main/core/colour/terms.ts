import { badInput } from '../../common/errors'

/** A colour word and the sRGB colour it stands for. */
export interface ColourTerm {
  /** The word as it is embedded by a language model (lower case, one word). */
  name: string
  /** Reference sRGB colour, '#rrggbb'. */
  hex: string
}

/**
 * The 20 default colour terms: Berlin & Kay's 11 basic colour terms (Basic Color Terms, 1969: black,
 * white, red, green, yellow, blue, brown, purple, pink, orange, gray) and 9 common extras (cyan, magenta,
 * navy, olive, teal, maroon, lime, beige, gold).
 *
 * Every one of them is a single word of the bundled gpt-tiny vocabulary
 * (resources/demo/models/gpt-tiny/tokenizer.json), so none becomes [UNK] there; "gray" is used rather
 * than "grey" because the shapes-256 captions say "gray" (both are in that vocabulary).
 */
export const COLOUR_TERM_NAMES = [
  'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black', 'white', 'gray',
  'cyan', 'magenta', 'navy', 'olive', 'teal', 'maroon', 'lime', 'beige', 'gold',
] as const

/**
 * Reference colours from the xkcd colour survey (Randall Munroe, 2010; about 222,500 participants naming
 * colours; https://xkcd.com/color/rgb.txt, CC0, also shipped as matplotlib's `XKCD_COLORS`): for each name,
 * the sRGB colour people most often gave that name. These are "what people call X", the reason they are
 * the default. "gray" takes the survey's "grey" entry (the survey spells it that way).
 */
export const XKCD_COLOUR_TERMS: readonly ColourTerm[] = [
  { name: 'red', hex: '#e50000' },
  { name: 'orange', hex: '#f97306' },
  { name: 'yellow', hex: '#ffff14' },
  { name: 'green', hex: '#15b01a' },
  { name: 'blue', hex: '#0343df' },
  { name: 'purple', hex: '#7e1e9c' },
  { name: 'pink', hex: '#ff81c0' },
  { name: 'brown', hex: '#653700' },
  { name: 'black', hex: '#000000' },
  { name: 'white', hex: '#ffffff' },
  { name: 'gray', hex: '#929591' },
  { name: 'cyan', hex: '#00ffff' },
  { name: 'magenta', hex: '#c20078' },
  { name: 'navy', hex: '#01153e' },
  { name: 'olive', hex: '#6e750e' },
  { name: 'teal', hex: '#029386' },
  { name: 'maroon', hex: '#650021' },
  { name: 'lime', hex: '#aaff32' },
  { name: 'beige', hex: '#e6daa6' },
  { name: 'gold', hex: '#dbb40c' },
]

/**
 * The same names with CSS Color Module Level 4 named-colour values (https://www.w3.org/TR/css-color-4/#named-colors,
 * identical to the X11/SVG 1.1 list for these names). Note CSS's "green" is the dark #008000 and its
 * pure green is "lime"; the primaries are fully saturated, unlike what people usually call these names.
 */
export const CSS_COLOUR_TERMS: readonly ColourTerm[] = [
  { name: 'red', hex: '#ff0000' },
  { name: 'orange', hex: '#ffa500' },
  { name: 'yellow', hex: '#ffff00' },
  { name: 'green', hex: '#008000' },
  { name: 'blue', hex: '#0000ff' },
  { name: 'purple', hex: '#800080' },
  { name: 'pink', hex: '#ffc0cb' },
  { name: 'brown', hex: '#a52a2a' },
  { name: 'black', hex: '#000000' },
  { name: 'white', hex: '#ffffff' },
  { name: 'gray', hex: '#808080' },
  { name: 'cyan', hex: '#00ffff' },
  { name: 'magenta', hex: '#ff00ff' },
  { name: 'navy', hex: '#000080' },
  { name: 'olive', hex: '#808000' },
  { name: 'teal', hex: '#008080' },
  { name: 'maroon', hex: '#800000' },
  { name: 'lime', hex: '#00ff00' },
  { name: 'beige', hex: '#f5f5dc' },
  { name: 'gold', hex: '#ffd700' },
]

export type ColourPalette = 'xkcd' | 'css'

/** The default term list for a palette. */
export function colourTerms(palette: ColourPalette = 'xkcd'): readonly ColourTerm[] {
  return palette === 'css' ? CSS_COLOUR_TERMS : XKCD_COLOUR_TERMS
}

/**
 * Checks a user-supplied term list: at least 4 terms (3-D MDS and a rank correlation need a few points),
 * unique non-empty names, '#rrggbb' colours.
 */
export function validateTerms(terms: readonly ColourTerm[], where = 'colour terms'): void {
  if (terms.length < 4) throw badInput(where, `need at least 4 colour terms, got ${terms.length}`)
  const seen = new Set<string>()
  for (const t of terms) {
    if (!t.name || !t.name.trim()) throw badInput(where, 'a colour term has an empty name')
    if (seen.has(t.name)) throw badInput(where, `colour term "${t.name}" appears twice`)
    seen.add(t.name)
    if (!/^#[0-9a-fA-F]{6}$/.test(t.hex)) throw badInput(where, `"${t.name}": colour "${t.hex}" is not #rrggbb`)
  }
}
