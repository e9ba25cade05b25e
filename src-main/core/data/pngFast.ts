import zlib from 'node:zlib'

/** What the chunks of a PNG say: its IHDR fields, its IDAT data and whether IEND was reached. */
/** Bytes a PNG's image data may inflate to beyond what its header needs (stray bytes after the image data). */
export const PNG_INFLATE_SLACK = 4096

export interface PngChunks {
  width: number
  height: number
  depth: number
  colour: number
  interlace: number
  idat: Uint8Array[]
  sawEnd: boolean
}

/** Walks the chunks after the signature; null when a chunk runs past the end or there is no IHDR. */
export function readPngChunks(buf: Uint8Array): PngChunks | null {
  if (buf.length < 45) return null
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  let pos = 8
  let ihdr: Omit<PngChunks, 'idat' | 'sawEnd'> | null = null
  const idat: Uint8Array[] = []
  let sawEnd = false
  while (pos + 8 <= buf.length) {
    const len = dv.getUint32(pos)
    const type = String.fromCharCode(buf[pos + 4]!, buf[pos + 5]!, buf[pos + 6]!, buf[pos + 7]!)
    const data = pos + 8
    if (data + len + 4 > buf.length) return null
    if (type === 'IHDR' && len >= 13) {
      ihdr = { width: dv.getUint32(data), height: dv.getUint32(data + 4), depth: buf[data + 8]!, colour: buf[data + 9]!, interlace: buf[data + 12]! }
    } else if (type === 'IDAT') idat.push(buf.subarray(data, data + len))
    else if (type === 'IEND') {
      sawEnd = true
      break
    }
    pos = data + len + 4
  }
  return ihdr ? { ...ihdr, idat, sawEnd } : null
}

/** Channels of each PNG colour type (PNG spec §11.2.2): grey, -, RGB, palette, grey+alpha, -, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** Adam7 passes (PNG spec §8.2): x start, y start, x step, y step. */
const ADAM7: [number, number, number, number][] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
]

/**
 * Bytes the image data inflates to, from the header alone (PNG spec §7.2, §8.2): per scanline one
 * filter byte plus ceil(width × channels × depth / 8); for Adam7, the same over each pass's reduced
 * image. Null for a colour type the spec does not define.
 */
export function pngInflatedBytes(width: number, height: number, depth: number, colour: number, interlace: number): number | null {
  const channels = CHANNELS[colour]
  if (channels === undefined) return null
  const row = (w: number): number => 1 + Math.ceil((w * channels * depth) / 8)
  if (interlace !== 1) return height * row(width)
  let total = 0
  for (const [xs, ys, dx, dy] of ADAM7) {
    const pw = width > xs ? Math.ceil((width - xs) / dx) : 0
    const ph = height > ys ? Math.ceil((height - ys) / dy) : 0
    if (pw > 0 && ph > 0) total += ph * row(pw)
  }
  return total
}

/**
 * A fast path for the commonest PNGs — 8-bit RGB or RGBA, not interlaced — straight from the zlib stream
 * (PNG spec §9 filters: None, Sub, Up, Average, Paeth). pngjs's time on a small image is mostly
 * fixed overhead, which this path does not have. Returns null for anything else (palette, grey, 16-bit,
 * interlaced, ancillary surprises) so the caller falls back to pngjs, which also produces every error.
 */
export function decodePngFast(buf: Uint8Array): { width: number; height: number; rgb: Uint8Array } | null {
  const c = readPngChunks(buf)
  if (!c || c.depth !== 8 || c.interlace !== 0 || (c.colour !== 2 && c.colour !== 6)) return null
  const { width, height, idat, sawEnd } = c
  const channels = c.colour === 2 ? 3 : 4
  if (!sawEnd || !width || !height || width * height > 100e6) return null
  let raw: Buffer
  try {
    // zlib's default 16 KB output chunk per call is most of the garbage a small image makes; ask for
    // exactly the size the header promises. A stream that inflates to more (a decompression bomb, or
    // stray data after the image) stops there and falls back to the checked general path.
    const expected = height * (width * channels + 1)
    raw = zlib.inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { chunkSize: Math.max(64, Math.min(expected + 1, 1 << 24)), maxOutputLength: expected + PNG_INFLATE_SLACK })
  } catch {
    return null
  }
  const stride = width * channels
  if (raw.length < height * (stride + 1)) return null
  // Rows are reconstructed in place, one filter loop per row type, so the inner loops carry no branches.
  const out = new Uint8Array(height * stride)
  const bpp = channels
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!
    const src = y * (stride + 1) + 1
    const o = y * stride
    const p = o - stride // previous row; only read when y > 0
    if (f === 0 || (f === 2 && y === 0)) {
      out.set(raw.subarray(src, src + stride), o)
    } else if (f === 1) {
      for (let i = 0; i < bpp; i++) out[o + i] = raw[src + i]!
      for (let i = bpp; i < stride; i++) out[o + i] = (raw[src + i]! + out[o + i - bpp]!) & 0xff
    } else if (f === 2) {
      for (let i = 0; i < stride; i++) out[o + i] = (raw[src + i]! + out[p + i]!) & 0xff
    } else if (f === 3) {
      if (y === 0) {
        for (let i = 0; i < bpp; i++) out[o + i] = raw[src + i]!
        for (let i = bpp; i < stride; i++) out[o + i] = (raw[src + i]! + (out[o + i - bpp]! >> 1)) & 0xff
      } else {
        for (let i = 0; i < bpp; i++) out[o + i] = (raw[src + i]! + (out[p + i]! >> 1)) & 0xff
        for (let i = bpp; i < stride; i++) out[o + i] = (raw[src + i]! + ((out[o + i - bpp]! + out[p + i]!) >> 1)) & 0xff
      }
    } else if (f === 4) {
      // Paeth with a zero row above reduces to Sub.
      if (y === 0) {
        for (let i = 0; i < bpp; i++) out[o + i] = raw[src + i]!
        for (let i = bpp; i < stride; i++) out[o + i] = (raw[src + i]! + out[o + i - bpp]!) & 0xff
      } else {
        for (let i = 0; i < bpp; i++) out[o + i] = (raw[src + i]! + out[p + i]!) & 0xff
        for (let i = bpp; i < stride; i++) {
          const a = out[o + i - bpp]!
          const b = out[p + i]!
          const c = out[p + i - bpp]!
          const pa = Math.abs(b - c)
          const pb = Math.abs(a - c)
          const pc = Math.abs(a + b - 2 * c)
          out[o + i] = (raw[src + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff
        }
      }
    } else return null
  }
  if (channels === 3) return { width, height, rgb: out }
  const rgb = new Uint8Array(width * height * 3)
  for (let px = 0, n = width * height; px < n; px++) {
    rgb[px * 3] = out[px * 4]!
    rgb[px * 3 + 1] = out[px * 4 + 1]!
    rgb[px * 3 + 2] = out[px * 4 + 2]!
  }
  return { width, height, rgb }
}
