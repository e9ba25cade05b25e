import { describe, expect, it } from 'vitest'
import { deltaE76, hexToRgb, labOfHex, rgbToHex, srgbToLab, srgbToLinear, xyzToLab } from '../../../src-main/core/colour/cielab'
import { reference } from './reference'

describe('sRGB → CIELAB (D65)', () => {
  // Published values: Bruce Lindbloom's colour calculator (sRGB, D65, no adaptation); the same numbers
  // appear in colormine.org and most tables of sRGB primaries in Lab.
  const published: [number[], number[]][] = [
    [[255, 255, 255], [100, 0, 0]],
    [[0, 0, 0], [0, 0, 0]],
    [[255, 0, 0], [53.2408, 80.0925, 67.2032]],
    [[0, 255, 0], [87.7347, -86.1827, 83.1793]],
    [[0, 0, 255], [32.297, 79.1875, -107.8602]],
    [[128, 128, 128], [53.585, 0, 0]],
  ]
  it.each(published)('%j matches the published Lab value', (rgb, lab) => {
    const got = srgbToLab(rgb[0]!, rgb[1]!, rgb[2]!)
    for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(lab[c]!, 2)
  })

  it('matches an independent numpy implementation on 49 colours to 1e-9', () => {
    reference.lab.rgb.forEach((rgb, i) => {
      const got = srgbToLab(rgb[0], rgb[1], rgb[2])
      for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - reference.lab.lab[i]![c]!)).toBeLessThan(1e-9)
    })
  })

  it('uses the linear segment below ε and is continuous at the joins', () => {
    expect(srgbToLinear(0.04045)).toBeCloseTo(0.04045 / 12.92, 15)
    expect(Math.abs(srgbToLinear(0.0404501) - srgbToLinear(0.04045))).toBeLessThan(1e-7)
    const eps = 216 / 24389
    const below = xyzToLab(0.95047 * eps, eps, 1.08883 * eps)
    const above = xyzToLab(0.95047 * eps * (1 + 1e-9), eps * (1 + 1e-9), 1.08883 * eps * (1 + 1e-9))
    expect(Math.abs(below[0] - above[0])).toBeLessThan(1e-6)
    expect(below[0]).toBeCloseTo(8, 10) // L* = κε = 8 at the join
  })

  it('ΔE76 is the Euclidean distance in Lab', () => {
    expect(deltaE76([50, 10, -10], [53, 14, -10])).toBeCloseTo(5, 12)
    const white = srgbToLab(255, 255, 255)
    const black = srgbToLab(0, 0, 0)
    expect(deltaE76(white, black)).toBeCloseTo(100, 4)
  })

  it('parses and writes hex colours, rejecting malformed ones', () => {
    expect(hexToRgb('#e50000')).toEqual([229, 0, 0])
    expect(hexToRgb('0343DF')).toEqual([3, 67, 223])
    expect(rgbToHex([229, 0, 0])).toBe('#e50000')
    expect(() => hexToRgb('#fff')).toThrow(/not a #rrggbb/)
    const m = labOfHex(['#ffffff', '#000000'])
    expect(m.rows).toBe(2)
    expect(m.data[0]).toBeCloseTo(100, 4)
  })
})
