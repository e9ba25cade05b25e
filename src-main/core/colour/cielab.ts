import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import type { Triple } from '../../common/contract/colour'

export type { Triple } from '../../common/contract/colour'

/**
 * sRGB (IEC 61966-2-1) → CIE XYZ (D65) → CIELAB, in float64.
 * Formulas and constants as Bruce Lindbloom gives them (brucelindbloom.com, "RGB to XYZ", "XYZ to Lab"):
 * the sRGB companding curve, the sRGB→XYZ matrix for D65, the reference white
 * (Xn, Yn, Zn) = (0.95047, 1.0, 1.08883), and the CIE's exact ε = 216/24389, κ = 24389/27.
 */

/** CIE ε = (6/29)³: below this relative luminance the cube root is replaced by a line. */
export const CIE_EPSILON = 216 / 24389
/** CIE κ = (29/3)³, the slope of that line in L* units. */
export const CIE_KAPPA = 24389 / 27
/** D65 reference white, Y normalised to 1 (Lindbloom's tabulated values). */
export const D65_WHITE: Readonly<Triple> = [0.95047, 1.0, 1.08883]

// Rows give X, Y, Z from linear R, G, B (Lindbloom, sRGB / D65 matrix M).
const SRGB_TO_XYZ = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339, 0.119192, 0.9503041],
] as const

/**
 * sRGB companding inverse: a channel value V ∈ [0, 1] to linear light,
 * v = V / 12.92 if V ≤ 0.04045, else ((V + 0.055) / 1.055)^2.4 (IEC 61966-2-1).
 */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)
}

// The 256 8-bit channel values are all an image can hold; a table keeps pixel loops free of pow().
const LINEAR_LUT = (() => {
  const t = new Float64Array(256)
  for (let i = 0; i < 256; i++) t[i] = srgbToLinear(i / 255)
  return t
})()

/** Linear RGB (each in [0, 1]) to XYZ with Y of white = 1, by the sRGB/D65 matrix. */
export function linearRgbToXyz(r: number, g: number, b: number): Triple {
  return [
    SRGB_TO_XYZ[0][0] * r + SRGB_TO_XYZ[0][1] * g + SRGB_TO_XYZ[0][2] * b,
    SRGB_TO_XYZ[1][0] * r + SRGB_TO_XYZ[1][1] * g + SRGB_TO_XYZ[1][2] * b,
    SRGB_TO_XYZ[2][0] * r + SRGB_TO_XYZ[2][1] * g + SRGB_TO_XYZ[2][2] * b,
  ]
}

function labF(t: number): number {
  return t > CIE_EPSILON ? Math.cbrt(t) : (CIE_KAPPA * t + 16) / 116
}

/**
 * XYZ → CIELAB relative to `white` (default D65): with f(t) = ∛t for t > ε, (κt + 16)/116 otherwise,
 * L* = 116 f(Y/Yn) − 16, a* = 500 (f(X/Xn) − f(Y/Yn)), b* = 200 (f(Y/Yn) − f(Z/Zn)) (CIE 15:2004 §8.2.1).
 */
export function xyzToLab(x: number, y: number, z: number, white: Readonly<Triple> = D65_WHITE): Triple {
  const fx = labF(x / white[0])
  const fy = labF(y / white[1])
  const fz = labF(z / white[2])
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]
}

/** 8-bit sRGB (each channel 0..255, may be fractional) → CIELAB (D65). */
export function srgbToLab(r: number, g: number, b: number): Triple {
  const lin = (v: number): number => (Number.isInteger(v) && v >= 0 && v <= 255 ? LINEAR_LUT[v]! : srgbToLinear(v / 255))
  const [x, y, z] = linearRgbToXyz(lin(r), lin(g), lin(b))
  return xyzToLab(x, y, z)
}

/** CIE 1976 colour difference ΔE*ab = Euclidean distance between two CIELAB colours. */
export function deltaE76(p: Readonly<Triple>, q: Readonly<Triple>): number {
  const dl = p[0] - q[0]
  const da = p[1] - q[1]
  const db = p[2] - q[2]
  return Math.sqrt(dl * dl + da * da + db * db)
}

/** '#rrggbb' or 'rrggbb' (either case) → [r, g, b] in 0..255. */
export function hexToRgb(hex: string): Triple {
  const m = /^#?([0-9a-fA-F]{6})$/.exec(hex.trim())
  if (!m) throw badInput('colour', `"${hex}" is not a #rrggbb hex colour`)
  const v = parseInt(m[1]!, 16)
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255]
}

/** [r, g, b] in 0..255 → '#rrggbb' (lower case); values are rounded and clamped. */
export function rgbToHex(rgb: Readonly<Triple>): string {
  const c = (v: number): string => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')
  return `#${c(rgb[0])}${c(rgb[1])}${c(rgb[2])}`
}

/** CIELAB coordinates of hex colours as an n × 3 matrix (rows in input order). */
export function labOfHex(hexes: readonly string[]): Mat {
  const data = new Float64Array(hexes.length * 3)
  hexes.forEach((h, i) => data.set(srgbToLab(...hexToRgb(h)), i * 3))
  return { data, rows: hexes.length, cols: 3 }
}
