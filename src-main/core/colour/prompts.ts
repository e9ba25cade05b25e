import { badInput } from '../../common/errors'
import { itemWidth, type Tensor3 } from '../../common/matrix'
import type { ColourTerm } from './terms'

/** Placeholder replaced by the colour word in a prompt template. */
export const COLOUR_PLACEHOLDER = '{colour}'

/**
 * Suggested templates: the bare word, and two short phrases. All their words are in the bundled gpt-tiny
 * vocabulary, so they produce no [UNK] there.
 */
export const DEFAULT_COLOUR_TEMPLATES = ['{colour}', 'the colour {colour}', 'a {colour} thing'] as const

export interface ColourPrompts {
  /** nTerms × nTemplates texts, term-major: text t·nTemplates + j is term t in template j. */
  texts: string[]
  nTerms: number
  nTemplates: number
}

/** The texts to embed for the language side: every term in every template (default: the bare word only). */
export function colourPrompts(terms: readonly ColourTerm[], templates: readonly string[] = ['{colour}']): ColourPrompts {
  if (templates.length === 0) throw badInput('templates', 'need at least one template')
  for (const t of templates) {
    if (!t.includes(COLOUR_PLACEHOLDER)) throw badInput('templates', `"${t}" has no ${COLOUR_PLACEHOLDER} placeholder`)
  }
  const texts: string[] = []
  for (const term of terms) for (const t of templates) texts.push(t.split(COLOUR_PLACEHOLDER).join(term.name))
  return { texts, nTerms: terms.length, nTemplates: templates.length }
}

/**
 * Averages per-prompt features [nTerms·nTemplates, L, D] (term-major, as `colourPrompts` orders them)
 * over the templates, giving [nTerms, L, D] in float64.
 */
export function poolTemplateFeatures(features: Tensor3, nTerms: number, nTemplates: number): Tensor3 {
  if (features.n !== nTerms * nTemplates) {
    throw badInput('colour features', `expected ${nTerms * nTemplates} rows (${nTerms} terms x ${nTemplates} templates), got ${features.n}`)
  }
  const row = itemWidth(features)
  const out = new Float64Array(nTerms * row)
  for (let t = 0; t < nTerms; t++) {
    for (let j = 0; j < nTemplates; j++) {
      const src = (t * nTemplates + j) * row
      for (let x = 0; x < row; x++) out[t * row + x]! += features.data[src + x]! / nTemplates
    }
  }
  return { data: out, n: nTerms, layers: features.layers, dim: features.dim, ...(features.dims ? { dims: features.dims } : {}) }
}
