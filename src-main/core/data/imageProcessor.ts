import { badInput } from '../../common/errors'
import type { RgbImage } from './image'
import { pilResize, type PilResample } from './resize'

/**
 * What a Hugging Face image processor (ViTImageProcessor, CLIPImageProcessor, and the many that share
 * their fields) does to an image, normalised from `preprocessor_config.json` or a sidecar.
 */
export interface ImagePreprocessing {
  /** Resize target: an exact size, or the shortest edge (aspect kept, CLIP style). */
  resize: { kind: 'exact'; width: number; height: number } | { kind: 'shortest_edge'; size: number } | null
  resample: PilResample
  /** Centre crop after resizing, or null. */
  crop: { width: number; height: number } | null
  /** Multiply 0..255 values by this (1/255), or null to keep them as is. */
  rescale: number | null
  /** Per-channel (RGB order) mean and std, or null for no normalisation. */
  normalize: { mean: [number, number, number]; std: [number, number, number] } | null
  /** Channel order of the model's input: RGB (Hugging Face) or BGR (some Caffe-era exports). */
  channelOrder: 'RGB' | 'BGR'
}

type Json = Record<string, unknown>

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

function triple(where: string, key: string, v: unknown): [number, number, number] {
  if (typeof v === 'number') return [v, v, v]
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) return [v[0], v[1], v[2]]
  throw badInput(where, `${key} must be a number or a list of 3 numbers`)
}

function sizeOf(where: string, key: string, v: unknown, defaultToSquare: boolean): ImagePreprocessing['resize'] {
  if (typeof v === 'number') return defaultToSquare ? { kind: 'exact', width: v, height: v } : { kind: 'shortest_edge', size: v }
  if (v && typeof v === 'object') {
    const o = v as Json
    const h = num(o.height)
    const w = num(o.width)
    if (h !== undefined && w !== undefined) return { kind: 'exact', width: w, height: h }
    const se = num(o.shortest_edge)
    if (se !== undefined) return { kind: 'shortest_edge', size: se }
  }
  throw badInput(where, `${key} must be a number, {height, width} or {shortest_edge}`)
}

/**
 * Reads the fields of a Hugging Face image processor config. Defaults follow the processor class:
 * CLIP-like processors resize the shortest edge with bicubic and centre-crop; ViT-like processors resize
 * to an exact square with bilinear.
 */
export function parseImagePreprocessing(where: string, cfg: Json): ImagePreprocessing {
  const type = typeof cfg.image_processor_type === 'string' ? cfg.image_processor_type : typeof cfg.feature_extractor_type === 'string' ? cfg.feature_extractor_type : ''
  const clipLike = /CLIP|SigLIP|Chinese|OwlViT|BLIP|Bit|ConvNext|Dinov2|Beit|Mobile/i.test(type) || (cfg.size !== undefined && typeof cfg.size === 'object' && cfg.size !== null && 'shortest_edge' in (cfg.size as Json))
  const doResize = cfg.do_resize !== false
  const resize = doResize ? sizeOf(where, 'size', cfg.size ?? 224, !clipLike) : null
  const resampleRaw = num(cfg.resample) ?? (clipLike ? 3 : 2)
  if (![0, 1, 2, 3, 4, 5].includes(resampleRaw)) throw badInput(where, `resample ${resampleRaw} is not a PIL filter id (0-5)`)
  let crop: ImagePreprocessing['crop'] = null
  if (cfg.do_center_crop === true || (cfg.do_center_crop === undefined && clipLike && cfg.crop_size !== undefined)) {
    const c = sizeOf(where, 'crop_size', cfg.crop_size ?? 224, true)
    if (c?.kind !== 'exact') throw badInput(where, 'crop_size must be a number or {height, width}')
    crop = { width: c.width, height: c.height }
  }
  const rescale = cfg.do_rescale === false ? null : num(cfg.rescale_factor) ?? 1 / 255
  const normalize =
    cfg.do_normalize === false ? null : { mean: triple(where, 'image_mean', cfg.image_mean ?? 0.5), std: triple(where, 'image_std', cfg.image_std ?? 0.5) }
  if (normalize && normalize.std.some((s) => s === 0)) throw badInput(where, 'image_std contains 0')
  const order = typeof cfg.channel_order === 'string' ? cfg.channel_order.toUpperCase() : 'RGB'
  if (order !== 'RGB' && order !== 'BGR') throw badInput(where, `channel_order must be RGB or BGR, got ${String(cfg.channel_order)}`)
  return { resize, resample: resampleRaw as PilResample, crop, rescale, normalize, channelOrder: order }
}

/** Output size after the resize step (HF get_resize_output_image_size with default_to_square=False). */
function resizedSize(p: ImagePreprocessing, w: number, h: number): [number, number] {
  if (!p.resize) return [w, h]
  if (p.resize.kind === 'exact') return [p.resize.width, p.resize.height]
  const s = p.resize.size
  // int(size * long / short), as transformers' image_transforms does.
  return w <= h ? [s, Math.trunc((s * h) / w)] : [Math.trunc((s * w) / h), s]
}

/** Final [height, width] of the model input for an image of the given size. */
export function outputSize(p: ImagePreprocessing, w: number, h: number): [number, number] {
  if (p.crop) return [p.crop.height, p.crop.width]
  const [rw, rh] = resizedSize(p, w, h)
  return [rh, rw]
}

const tableCache = new WeakMap<ImagePreprocessing, Float32Array[]>()

/**
 * Per channel, the final float32 value of each byte 0..255 after rescale and normalise. Every pixel
 * (resized pixels are bytes too, and crop padding is byte 0) takes one of these 256 values, so a
 * lookup gives bit-identical results to doing the arithmetic per pixel, in a fraction of the time.
 */
function valueTables(p: ImagePreprocessing): Float32Array[] {
  const cached = tableCache.get(p)
  if (cached) return cached
  const f = Math.fround
  const tables = [0, 1, 2].map((c) => {
    const m = p.normalize ? f(p.normalize.mean[c]!) : 0
    const s = p.normalize ? f(p.normalize.std[c]!) : 1
    const t = new Float32Array(256)
    for (let b = 0; b < 256; b++) {
      let v = b
      if (p.rescale !== null) v = f(v * p.rescale)
      if (p.normalize) v = f(f(v - m) / s)
      t[b] = v
    }
    return t
  })
  tableCache.set(p, tables)
  return tables
}

/**
 * Writes one image as a channels-first float32 `[3, H, W]` block into `out` at `offset`, applying, in
 * Hugging Face's order: PIL resize, centre crop (top = (h - ch) // 2, left = (w - cw) // 2, zero padding
 * when the image is smaller), rescale, normalise. The arithmetic mirrors transformers' numpy code: rescale
 * is computed in float64 and stored as float32, normalise is float32 (x - mean) / std.
 * Source: transformers image_transforms.resize/center_crop/rescale/normalize.
 */
export function preprocessInto(img: RgbImage, p: ImagePreprocessing, out: Float32Array, offset: number): void {
  const [rw, rh] = resizedSize(p, img.width, img.height)
  const r = rw === img.width && rh === img.height ? img : pilResize(img, rw, rh, p.resample)
  const [oh, ow] = p.crop ? [p.crop.height, p.crop.width] : [rh, rw]
  const top = Math.floor((rh - oh) / 2)
  const left = Math.floor((rw - ow) / 2)
  const plane = oh * ow
  const lut = valueTables(p)
  const data = r.data
  for (let c = 0; c < 3; c++) {
    const srcC = p.channelOrder === 'BGR' ? 2 - c : c
    const table = lut[srcC]!
    const base = offset + c * plane
    for (let y = 0; y < oh; y++) {
      const sy = y + top
      const o = base + y * ow
      if (sy < 0 || sy >= rh) {
        out.fill(table[0]!, o, o + ow)
        continue
      }
      // Columns [x0, x1) fall inside the resized image; the rest is crop padding.
      const x0 = Math.max(0, -left)
      const x1 = Math.min(ow, rw - left)
      if (x0 > 0) out.fill(table[0]!, o, o + x0)
      if (x1 < ow) out.fill(table[0]!, o + Math.max(x0, x1), o + ow)
      for (let x = x0, si = (sy * rw + x0 + left) * 3 + srcC; x < x1; x++, si += 3) out[o + x] = table[data[si]!]!
    }
  }
}
