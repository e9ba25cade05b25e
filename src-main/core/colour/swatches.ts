import { badInput } from '../../common/errors'
import type { RgbImage } from '../data/image'
import { hexToRgb } from './cielab'
import type { ColourTerm } from './terms'

/**
 * One solid-colour image per term (size × size, 8-bit RGB, every pixel the term's reference colour),
 * in term order, for embedding the colours with a vision model through the ordinary image pipeline.
 */
export function solidSwatches(terms: readonly ColourTerm[], size = 32): RgbImage[] {
  if (!Number.isInteger(size) || size < 1 || size > 4096) throw badInput('swatch size', `must be an integer from 1 to 4096, got ${size}`)
  return terms.map((t) => {
    const [r, g, b] = hexToRgb(t.hex)
    const data = new Uint8Array(size * size * 3)
    for (let p = 0; p < size * size; p++) {
      data[p * 3] = r
      data[p * 3 + 1] = g
      data[p * 3 + 2] = b
    }
    return { data, width: size, height: size }
  })
}
