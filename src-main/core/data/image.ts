import path from 'node:path'
import zlib from 'node:zlib'
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { badInput, isAppError } from '../../common/errors'
import { decodeJpegLikeLibjpeg, readJpegHeader } from './jpegFancy'
import { readUserFile } from './userFile'
import { decodePngFast, PNG_INFLATE_SLACK, pngInflatedBytes, readPngChunks } from './pngFast'

/** A decoded 8-bit RGB image, row-major, interleaved: `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  data: Uint8Array
  width: number
  height: number
}

/** Images larger than this are refused rather than decoded into gigabytes of RAM. */
const MAX_MEGAPIXELS = 100

/** Largest image file read: 100 megapixels of uncompressed RGBA is 400 MB, and image files compress. */
const MAX_IMAGE_FILE_BYTES = 512 << 20

/**
 * Decodes a PNG or JPEG (detected from the bytes, not the extension) to 8-bit RGB.
 * Alpha is dropped the way PIL's `convert('RGB')` drops it (the colour channels are kept as stored,
 * not composited), grey is replicated to three channels, 16-bit PNG is reduced to its high byte as PIL does.
 */
export function decodeImage(file: string, bytes?: Uint8Array): RgbImage {
  let buf: Uint8Array
  try {
    buf = bytes ?? readUserFile(file, { what: 'an image', maxBytes: MAX_IMAGE_FILE_BYTES })
  } catch (e) {
    if (isAppError(e)) throw e
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
  checkPngBounds(file, buf)
  let png: { width: number; height: number; data: Buffer }
  try {
    // pngjs expands palette, grey and 16-bit input to 8-bit RGBA; skipRescale keeps 16-bit as is, so leave it off.
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength))
  } catch (e) {
    throw badInput(file, `cannot decode the PNG (${e instanceof Error ? e.message : String(e)})`)
  }
  return rgbaToRgb(file, png.data, png.width, png.height)
}

/**
 * Refuses a PNG whose header declares more than `MAX_MEGAPIXELS`, or whose image data inflates to
 * more than that header needs (a decompression bomb: 2 MB declaring 32×32 that inflates to 2 GB).
 * The data is inflated with a ceiling, so a bomb costs at most the declared size; pngjs bounds its own
 * inflation for non-interlaced images only, and by the declared size alone.
 */
function checkPngBounds(file: string, buf: Uint8Array): void {
  const c = readPngChunks(buf)
  if (!c) return // pngjs names what is wrong with the structure
  if (!(c.width > 0 && c.height > 0)) throw badInput(file, `the PNG header declares ${c.width}×${c.height} pixels`)
  if (c.width * c.height > MAX_MEGAPIXELS * 1e6) throw badInput(file, `the PNG header declares ${c.width}×${c.height} pixels, more than ${MAX_MEGAPIXELS} megapixels`)
  const need = pngInflatedBytes(c.width, c.height, c.depth, c.colour, c.interlace)
  if (need === null || c.idat.length === 0) return
  try {
    zlib.inflateSync(c.idat.length === 1 ? c.idat[0]! : Buffer.concat(c.idat), { maxOutputLength: need + PNG_INFLATE_SLACK })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw badInput(file, `the PNG's image data inflates to more than the ${need} bytes its ${c.width}×${c.height} header needs (a decompression bomb?)`)
    }
    // Other zlib errors: pngjs reports them.
  }
}

/** jpeg-js's ceiling on its own allocations while decoding (its default is 512). */
const JPEG_MAX_MEMORY_MB = 1024

function decodeJpeg(file: string, buf: Uint8Array): RgbImage {
  const hdr = readJpegHeader(buf)
  if (hdr && hdr.width * hdr.height > MAX_MEGAPIXELS * 1e6) throw badInput(file, `the JPEG header declares ${hdr.width}×${hdr.height} pixels, more than ${MAX_MEGAPIXELS} megapixels`)
  let img: { width: number; height: number; data: Uint8Array }
  try {
    // Pillow decodes with libjpeg, whose chroma upsampling and colour conversion differ from jpeg-js's.
    const like = decodeJpegLikeLibjpeg(buf, MAX_MEGAPIXELS)
    if (like) return like
    img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB })
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
