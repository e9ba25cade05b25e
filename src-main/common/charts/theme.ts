import type { EChartsOption } from 'echarts'

/**
 * Shared look of every chart, on screen and in print. Okabe–Ito categorical colours stay
 * distinguishable for colour-blind readers and in greyscale print; the sequential and diverging
 * ramps are ColorBrewer "Blues" and "RdBu".
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D1F', '#000000', '#999999']
export const SEQUENTIAL = ['#f7fbff', '#deebf7', '#9ecae1', '#4292c6', '#08519c', '#08306b']
export const DIVERGING = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b']
/** Colour of "best" markers (heatmap border, Pareto front, fitted line): vermillion, apart from the blue ramp. */
export const ACCENT = '#D55E00'
export const FONT_FAMILY = 'Helvetica, Arial, "DejaVu Sans", "Liberation Sans", sans-serif'
export const TEXT_COLOR = '#222222'

/** `print`: a static picture (no animation, tooltip or toolbox), for the report and SVG/PNG export. */
export interface ChartOpts {
  print?: boolean
  title?: string
  subtitle?: string
}

/** The options every builder starts from: palette, typography, title, and interaction only on screen. */
export function baseOption(opts: ChartOpts, defaultTitle: string, subtitle?: string): EChartsOption {
  const title = opts.title ?? defaultTitle
  const sub = opts.subtitle ?? subtitle
  const o: EChartsOption = {
    color: PALETTE,
    backgroundColor: '#ffffff',
    animation: !opts.print,
    textStyle: { fontFamily: FONT_FAMILY, color: TEXT_COLOR },
    title: {
      text: title,
      subtext: sub ?? '',
      left: 'center',
      top: 4,
      textStyle: { fontSize: 14, fontWeight: 'bold', color: TEXT_COLOR, fontFamily: FONT_FAMILY },
      // An explicit line height: canvas rendering otherwise stacks a two-line subtitle on itself.
      subtextStyle: { fontSize: 11, lineHeight: 14, color: '#555555', fontFamily: FONT_FAMILY },
    },
  }
  if (!opts.print) o.tooltip = { trigger: 'item', confine: true }
  return o
}

/** Axis name styling shared by all Cartesian charts. */
export const AXIS_NAME_STYLE = { fontSize: 11, color: '#333333', fontFamily: FONT_FAMILY }

/**
 * A score as text: 3 decimals for ordinary magnitudes, 3 significant digits for tiny ones (chance
 * levels of mutual k-NN are ~0.01), so the printed figure never rounds to a misleading 0.000.
 */
export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–'
  if (x === 0) return (0).toFixed(digits)
  if (Math.abs(x) < 0.01) return x.toPrecision(digits)
  return x.toFixed(digits)
}

/** A p-value as text: scientific below 0.001. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–'
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3)
}

/**
 * Linear interpolation in a colour ramp; t in [0, 1]. Used to pick readable cell-label colours and
 * by builders that colour items themselves.
 */
export function rampColor(ramp: string[], t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (ramp.length - 1)
  const i = Math.min(ramp.length - 2, Math.floor(u))
  const f = u - i
  const a = hexToRgb(ramp[i]!)
  const b = hexToRgb(ramp[i + 1]!)
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f))
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`
}

export function hexToRgb(hex: string): [number, number, number] {
  let h = hex.replace('#', '')
  if (h.length === 3) h = h.split('').map((c) => c + c).join('')
  const n = parseInt(h.slice(0, 6), 16)
  if (!/^[0-9a-fA-F]{6}$/.test(h.slice(0, 6)) || !Number.isFinite(n)) return [128, 128, 128]
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Relative luminance (sRGB, WCAG 2 formula) in [0, 1]; chooses black or white text on a fill. */
export function luminance(hex: string): number {
  const lin = hexToRgb(hex).map((v) => {
    const s = v / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!
}

export function textOn(fill: string): string {
  return luminance(fill) > 0.3 ? '#111111' : '#ffffff'
}

/** Finite min and max of values, ignoring null/NaN; [0, 1] when nothing is finite. */
export function finiteRange(values: Iterable<number | null | undefined>): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (lo === Infinity) return [0, 1]
  if (lo === hi) return [lo - 0.5 * (Math.abs(lo) || 1), hi + 0.5 * (Math.abs(hi) || 1)]
  return [lo, hi]
}
