import jpeg from 'jpeg-js'

/** Header facts jpeg-js does not expose: per-component sampling factors and the Adobe colour transform. */
interface JpegHeader {
  /** Frame size from the SOF segment. */
  width: number
  height: number
  components: { h: number; v: number }[]
  adobeTransform: number | null
}

/** Walks the JPEG markers up to the first SOF; null if the stream is not understood. */
export function readJpegHeader(b: Uint8Array): JpegHeader | null {
  let i = 2
  let adobeTransform: number | null = null
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null
    const marker = b[i + 1]!
    if (marker === 0xff) {
      i++
      continue
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!
    const seg = i + 4
    if (marker === 0xee && len >= 12 && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'Adobe') adobeTransform = b[seg + 11]!
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const nc = b[seg + 5]!
      const components: { h: number; v: number }[] = []
      for (let c = 0; c < nc; c++) {
        const hv = b[seg + 6 + c * 3 + 1]!
        components.push({ h: hv >> 4, v: hv & 15 })
      }
      return { width: (b[seg + 3]! << 8) | b[seg + 4]!, height: (b[seg + 1]! << 8) | b[seg + 2]!, components, adobeTransform }
    }
    i += 2 + len
  }
  return null
}

/**
 * libjpeg's YCbCr -> RGB conversion (jdcolor.c, ycc_rgb_convert): 16-bit fixed point,
 * R = Y + 1.402 (Cr - 128), G = Y - 0.34414 (Cb - 128) - 0.71414 (Cr - 128), B = Y + 1.772 (Cb - 128),
 * each product rounded as libjpeg's tables do, then clamped to 0..255.
 */
const FIX = (x: number): number => Math.round(x * 65536)
const HALF = 1 << 15
const crR = new Int32Array(256)
const cbB = new Int32Array(256)
const crG = new Int32Array(256)
const cbG = new Int32Array(256)
for (let i = 0; i < 256; i++) {
  const x = i - 128
  crR[i] = (FIX(1.402) * x + HALF) >> 16
  cbB[i] = (FIX(1.772) * x + HALF) >> 16
  crG[i] = -FIX(0.71414) * x
  cbG[i] = -FIX(0.34414) * x + HALF
}
const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v)

/**
 * libjpeg's "fancy" (triangular) chroma upsampling for 2x horizontal (h2v1) or 2x2 (h2v2) subsampled
 * planes, as in jdsample.c (h2v1_fancy_upsample, h2v2_fancy_upsample): each output sample is
 * 3/4 nearer + 1/4 farther input sample per direction, with libjpeg's alternating rounding biases
 * (h2v2: +8 / +7 then >> 4; h2v1: +1 / +2 then >> 2) and edge samples replicated.
 */
function fancyUpsample(plane: Uint8Array, pw: number, ph: number, h2: boolean, v2: boolean, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH)
  for (let oy = 0; oy < outH; oy++) {
    const r = v2 ? oy >> 1 : oy
    const near = Math.min(r, ph - 1)
    const far = v2 ? Math.min(ph - 1, Math.max(0, oy & 1 ? r + 1 : r - 1)) : near
    for (let ox = 0; ox < outW; ox++) {
      const c = h2 ? ox >> 1 : ox
      const colsum = (x: number): number => {
        const xx = Math.min(pw - 1, Math.max(0, x))
        return v2 ? plane[near * pw + xx]! * 3 + plane[far * pw + xx]! : plane[near * pw + xx]!
      }
      let v: number
      if (!h2) v = v2 ? (colsum(c) * 4 + 8) >> 4 : colsum(c)
      else {
        const left = (ox & 1) === 0
        const other = left ? c - 1 : c + 1
        // At the plane edges libjpeg uses the sample itself for the missing neighbour.
        const o = other < 0 || other >= pw ? c : other
        if (v2) v = (colsum(c) * 3 + colsum(o) + (left ? 8 : 7)) >> 4
        else v = (colsum(c) * 3 + colsum(o) + (left ? 1 : 2)) >> 2
      }
      out[oy * outW + ox] = v
    }
  }
  return out
}

/**
 * Decodes a 3-component YCbCr JPEG as libjpeg(-turbo) with default settings does (what Pillow returns):
 * jpeg-js decodes the component planes; chroma is upsampled with libjpeg's fancy upsampling instead of
 * jpeg-js's replication and converted with libjpeg's fixed-point tables. Returns null for anything else
 * (grey, CMYK, RGB-coded, other sampling), which the caller decodes with jpeg-js directly.
 */
export function decodeJpegLikeLibjpeg(buf: Uint8Array, maxResolutionInMP: number): { data: Uint8Array; width: number; height: number } | null {
  const hdr = readJpegHeader(buf)
  if (!hdr || hdr.components.length !== 3 || hdr.adobeTransform === 0) return null
  const [y, cb, cr] = hdr.components as [{ h: number; v: number }, { h: number; v: number }, { h: number; v: number }]
  if (cb.h !== cr.h || cb.v !== cr.v || cb.h !== 1 || cb.v !== 1) return null
  const h2 = y.h === 2
  const v2 = y.v === 2
  if (!((y.h === 1 || h2) && (y.v === 1 || v2))) return null
  // Raw planes at full size; jpeg-js replicates chroma, so sampling every (h, v)-th pixel recovers the plane.
  const raw = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, colorTransform: false, maxResolutionInMP })
  const { width: W, height: H } = raw
  const pw = h2 ? Math.ceil(W / 2) : W
  const ph = v2 ? Math.ceil(H / 2) : H
  const planes = [new Uint8Array(pw * ph), new Uint8Array(pw * ph)]
  for (let py = 0; py < ph; py++)
    for (let px = 0; px < pw; px++) {
      const src = ((v2 ? py * 2 : py) * W + (h2 ? px * 2 : px)) * 3
      planes[0]![py * pw + px] = raw.data[src + 1]!
      planes[1]![py * pw + px] = raw.data[src + 2]!
    }
  const cbUp = h2 || v2 ? fancyUpsample(planes[0]!, pw, ph, h2, v2, W, H) : planes[0]!
  const crUp = h2 || v2 ? fancyUpsample(planes[1]!, pw, ph, h2, v2, W, H) : planes[1]!
  const out = new Uint8Array(W * H * 3)
  for (let i = 0; i < W * H; i++) {
    const Y = raw.data[i * 3]!
    const b = cbUp[i]!
    const r = crUp[i]!
    out[i * 3] = clamp(Y + crR[r]!)
    out[i * 3 + 1] = clamp(Y + ((cbG[b]! + crG[r]!) >> 16))
    out[i * 3 + 2] = clamp(Y + cbB[b]!)
  }
  return { data: out, width: W, height: H }
}
