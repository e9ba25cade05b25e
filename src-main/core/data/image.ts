import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { badInput } from '../../common/errors'
import { decodeJpegLikeLibjpeg } from './jpegFancy'
import { decodePngFast } from './pngFast'

/** A decoded 8-bit RGB image, row-major, interleaved: `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  data: Uint8Array
  width: number
  height: number
}

/** Images larger than this are refused rather than decoded into gigabytes of RAM. */
const MAX_MEGAPIXELS = 100

/**
 * Decodes a PNG or JPEG (detected from the bytes, not the extension) to 8-bit RGB.
 * Alpha is dropped the way PIL's `convert('RGB')` drops it (the colour channels are kept as stored,
 * not composited), grey is replicated to three channels, 16-bit PNG is reduced to its high byte as PIL does.
 */
export function decodeImage(file: string, bytes?: Uint8Array): RgbImage {
  let buf: Uint8Array
  try {
    buf = bytes ?? fs.readFileSync(file)
  } catch (e) {
    throw badInput(file, `cannot read the image (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  if (isPng(buf)) return decodePng(file, buf)
  if (isJpeg(buf)) return decodeJpeg(file, buf)
  throw badInput(file, `not a PNG or JPEG image (${path.extname(file) || 'no extension'})`)
}

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
}

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff
}

function decodePng(file: string, buf: Uint8Array): RgbImage {
  const fast = decodePngFast(buf)
  if (fast) return { data: fast.rgb, width: fast.width, height: fast.height }
  let png: { width: number; height: number; data: Buffer }
  try {
    // pngjs expands palette, grey and 16-bit input to 8-bit RGBA; skipRescale keeps 16-bit as is, so leave it off.
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength))
  } catch (e) {
    throw badInput(file, `cannot decode the PNG (${e instanceof Error ? e.message : String(e)})`)
  }
  return rgbaToRgb(file, png.data, png.width, png.height)
}

function decodeJpeg(file: string, buf: Uint8Array): RgbImage {
  let img: { width: number; height: number; data: Uint8Array }
  try {
    // Pillow decodes with libjpeg, whose chroma upsampling and colour conversion differ from jpeg-js's.
    const like = decodeJpegLikeLibjpeg(buf, MAX_MEGAPIXELS)
    if (like) return like
    img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 2048 })
  } catch (e) {
    throw badInput(file, `cannot decode the JPEG (${e instanceof Error ? e.message : String(e)})`)
  }
  return rgbaToRgb(file, img.data, img.width, img.height)
}

function rgbaToRgb(file: string, rgba: Uint8Array, width: number, height: number): RgbImage {
  if (!(width > 0 && height > 0)) throw badInput(file, 'image has no pixels')
  if (width * height > MAX_MEGAPIXELS * 1e6) throw badInput(file, `image is larger than ${MAX_MEGAPIXELS} megapixels`)
  const n = width * height
  const out = new Uint8Array(n * 3)
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i * 3] = rgba[j]!
    out[i * 3 + 1] = rgba[j + 1]!
    out[i * 3 + 2] = rgba[j + 2]!
  }
  return { data: out, width, height }
}
