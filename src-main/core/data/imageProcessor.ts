import { badInput } from '../../common/errors'
import type { RgbImage } from './image'
import { pilResize, type PilResample } from './resize'

/**
 * What a Hugging Face image processor (ViTImageProcessor, CLIPImageProcessor, and the many that share
 * their fields) does to an image, normalised from `preprocessor_config.json` or a sidecar.
 */
export interface ImagePreprocessing {
  /**
   * Resize target: an exact size, the shortest edge (aspect kept, CLIP style), or the longest edge
   * (aspect kept, SAM style).
   */
  resize: { kind: 'exact'; width: number; height: number } | { kind: 'shortest_edge'; size: number } | { kind: 'longest_edge'; size: number } | null
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

/** Largest edge a resize or crop may ask for: beyond it a typo (4000 for 40) costs gigabytes. */
export const MAX_IMAGE_EDGE = 8192

const IMAGENET_STANDARD = [0.5, 0.5, 0.5]
const IMAGENET_DEFAULT_MEAN = [0.485, 0.456, 0.406]
const IMAGENET_DEFAULT_STD = [0.229, 0.224, 0.225]
const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

/**
 * What one Hugging Face processor class does, from its `__init__` defaults and `preprocess`
 * (transformers 4.3x-4.4x, models/<name>/image_processing_<name>.py):
 * - intSize: how a bare-int `size` is read (`get_size_dict(size, default_to_square=...)`); 'refuse' where
 *   the class then needs keys an int cannot give (SigLIP reads size["height"]).
 * - step: 'resize' (resize only), 'resize_crop' (resize then centre crop when do_center_crop),
 *   'crop_pct' (ConvNeXt: see `convNextResize`).
 */
interface ProcessorClass {
  intSize: 'square' | 'shortest_edge' | 'refuse'
  size: Json
  resample: PilResample
  step: 'resize' | 'resize_crop' | 'crop_pct'
  crop: number
  mean: number[]
  std: number[]
}

const CLASSES: Record<string, ProcessorClass> = {
  ViT: { intSize: 'square', size: { height: 224, width: 224 }, resample: 2, step: 'resize', crop: 224, mean: IMAGENET_STANDARD, std: IMAGENET_STANDARD },
  DeiT: { intSize: 'square', size: { height: 256, width: 256 }, resample: 3, step: 'resize_crop', crop: 224, mean: IMAGENET_DEFAULT_MEAN, std: IMAGENET_DEFAULT_STD },
  Beit: { intSize: 'square', size: { height: 256, width: 256 }, resample: 3, step: 'resize_crop', crop: 224, mean: IMAGENET_STANDARD, std: IMAGENET_STANDARD },
  CLIP: { intSize: 'shortest_edge', size: { shortest_edge: 224 }, resample: 3, step: 'resize_crop', crop: 224, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD },
  ChineseCLIP: { intSize: 'shortest_edge', size: { shortest_edge: 224 }, resample: 3, step: 'resize_crop', crop: 224, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD },
  // DINOv2 checkpoints ship BitImageProcessor configs.
  Bit: { intSize: 'shortest_edge', size: { shortest_edge: 224 }, resample: 3, step: 'resize_crop', crop: 224, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD },
  Siglip: { intSize: 'refuse', size: { height: 224, width: 224 }, resample: 3, step: 'resize', crop: 224, mean: IMAGENET_STANDARD, std: IMAGENET_STANDARD },
  Blip: { intSize: 'square', size: { height: 384, width: 384 }, resample: 3, step: 'resize', crop: 384, mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD },
  // ResNet, RegNet and Swin checkpoints ship ConvNext (ResNet, RegNet) or ViT (Swin) processor configs.
  ConvNext: { intSize: 'shortest_edge', size: { shortest_edge: 384 }, resample: 2, step: 'crop_pct', crop: 224, mean: IMAGENET_DEFAULT_MEAN, std: IMAGENET_DEFAULT_STD },
}

/**
 * No processor type (a sidecar, or a hand-written config): every field given is honoured, a bare-int
 * size is square, and crop_pct applies as ConvNeXt's does.
 */
const GENERIC: ProcessorClass = { intSize: 'square', size: { height: 224, width: 224 }, resample: 2, step: 'resize_crop', crop: 224, mean: IMAGENET_STANDARD, std: IMAGENET_STANDARD }

/** Fields a processor config may carry that never change pixels (bookkeeping, segmentation labels). */
const HARMLESS_FIELDS = new Set([
  'image_processor_type', 'feature_extractor_type', 'processor_class', '_processor_class', 'auto_map', 'model_input_names',
  '_valid_processor_keys', 'use_fast', 'return_tensors', 'do_reduce_labels', 'reduce_labels', 'input_data_format', 'data_format',
  // The image decoder always yields RGB (PIL's convert('RGB')); for RGB images that is what either setting gives.
  'do_convert_rgb',
])
/** Fields read below. Anything else is refused by name: it might change pixels in a way not reproduced. */
const PIXEL_FIELDS = new Set([
  'do_resize', 'size', 'resample', 'do_center_crop', 'crop_size', 'crop_pct', 'do_rescale', 'rescale_factor', 'do_normalize', 'image_mean', 'image_std',
  'do_flip_channel_order', 'channel_order', 'do_pad',
])

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

function triple(where: string, key: string, v: unknown): [number, number, number] {
  if (typeof v === 'number' && Number.isFinite(v)) return [v, v, v]
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return [v[0], v[1], v[2]]
  throw badInput(where, `${key} must be a number or a list of 3 numbers`)
}

function edge(where: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_IMAGE_EDGE) throw badInput(where, `${key} must be a whole number of pixels from 1 to ${MAX_IMAGE_EDGE}, got ${JSON.stringify(v)}`)
  return v
}

function sizeOf(where: string, key: string, v: unknown, intSize: ProcessorClass['intSize']): NonNullable<ImagePreprocessing['resize']> {
  if (typeof v === 'number') {
    if (intSize === 'refuse') throw badInput(where, `${key} must be {height, width} for this processor type, got ${v}`)
    const n = edge(where, key, v)
    return intSize === 'square' ? { kind: 'exact', width: n, height: n } : { kind: 'shortest_edge', size: n }
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Json
    const keys = Object.keys(o).filter((k) => o[k] !== null && o[k] !== undefined).sort().join(',')
    if (keys === 'height,width') return { kind: 'exact', width: edge(where, `${key}.width`, o.width), height: edge(where, `${key}.height`, o.height) }
    if (keys === 'shortest_edge') return { kind: 'shortest_edge', size: edge(where, `${key}.shortest_edge`, o.shortest_edge) }
    if (keys === 'longest_edge') return { kind: 'longest_edge', size: edge(where, `${key}.longest_edge`, o.longest_edge) }
    if (keys) throw badInput(where, `${key} {${keys}} is not supported: expected {height, width}, {shortest_edge}, {longest_edge} or a number`)
  }
  throw badInput(where, `${key} must be a number, {height, width}, {shortest_edge} or {longest_edge}`)
}

/** The processor class a config names (ViTImageProcessor, CLIPFeatureExtractor, ...), or GENERIC when it names none. */
function processorClass(where: string, cfg: Json): ProcessorClass {
  const raw = cfg.image_processor_type ?? cfg.feature_extractor_type
  if (raw === undefined || raw === null) return GENERIC
  const name = typeof raw === 'string' ? raw.replace(/(ImageProcessor(Fast)?|FeatureExtractor)$/, '') : ''
  const cls = CLASSES[name]
  if (!cls) {
    const known = Object.keys(CLASSES).map((k) => `${k}ImageProcessor`).join(', ')
    throw badInput(where, `image processor type ${JSON.stringify(raw)} is not supported (supported: ${known}, their FeatureExtractor names, or none with explicit fields)`)
  }
  return cls
}

/**
 * ConvNextImageProcessor.resize: below 384 the shortest edge goes to int(shortest_edge / crop_pct) (aspect
 * kept) and a shortest_edge square is centre-cropped from it; at 384 and above the image is warped to a
 * shortest_edge square without a crop. Source: transformers models/convnext/image_processing_convnext.py.
 */
function convNextResize(where: string, size: NonNullable<ImagePreprocessing['resize']>, cropPct: number): Pick<ImagePreprocessing, 'resize' | 'crop'> {
  if (size.kind !== 'shortest_edge') throw badInput(where, 'size must be {shortest_edge} (or a number) when crop_pct applies')
  const se = size.size
  if (se >= 384) return { resize: { kind: 'exact', width: se, height: se }, crop: null }
  const resized = Math.trunc(se / cropPct)
  if (resized < 1 || resized > MAX_IMAGE_EDGE) throw badInput(where, `crop_pct ${cropPct} resizes the shortest edge to ${resized} pixels`)
  return { resize: { kind: 'shortest_edge', size: resized }, crop: { width: se, height: se } }
}

/**
 * Reads a Hugging Face image processor config (`preprocessor_config.json`) the way its class does:
 * the defaults of the class named by `image_processor_type` / `feature_extractor_type`, the fields it
 * reads, and the steps of its `preprocess` (see CLASSES). A config naming no class honours every field
 * it gives. An unknown class, an unknown field, or a field value the class would apply but this code
 * cannot reproduce is an error naming the file and the field: a silently different pixel is a silently
 * wrong feature.
 */
export function parseImagePreprocessing(where: string, cfg: Json): ImagePreprocessing {
  const cls = processorClass(where, cfg)
  for (const k of Object.keys(cfg)) if (!HARMLESS_FIELDS.has(k) && !PIXEL_FIELDS.has(k)) throw badInput(where, `unknown image processor field ${JSON.stringify(k)}; it may change the pixels in a way this app does not reproduce`)
  if (cfg.do_pad === true) throw badInput(where, 'do_pad is not supported (padding to a size is not reproduced)')
  if (cfg.data_format !== undefined && cfg.data_format !== null && cfg.data_format !== 'channels_first') throw badInput(where, `data_format ${JSON.stringify(cfg.data_format)} is not supported; the model input is channels_first`)
  const flag = (key: string, dflt: boolean): boolean => {
    const v = cfg[key]
    if (v === undefined || v === null) return dflt
    if (typeof v !== 'boolean') throw badInput(where, `${key} must be true or false, got ${JSON.stringify(v)}`)
    return v
  }
  const doResize = flag('do_resize', true)
  const size = sizeOf(where, 'size', cfg.size ?? cls.size, cls.intSize)
  let resize: ImagePreprocessing['resize'] = doResize ? size : null
  let crop: ImagePreprocessing['crop'] = null
  const cropPctRaw = cfg.crop_pct
  const useCropPct = cls.step === 'crop_pct' || (cls === GENERIC && cropPctRaw !== undefined && cropPctRaw !== null)
  if (useCropPct) {
    const cropPct = cropPctRaw === undefined || cropPctRaw === null ? 224 / 256 : cropPctRaw
    if (typeof cropPct !== 'number' || !(cropPct > 0) || !Number.isFinite(cropPct)) throw badInput(where, `crop_pct must be a positive number, got ${JSON.stringify(cropPctRaw)}`)
    if (doResize) ({ resize, crop } = convNextResize(where, size, cropPct))
  } else if (cls.step === 'resize_crop' && flag('do_center_crop', cls !== GENERIC)) {
    const c = sizeOf(where, 'crop_size', cfg.crop_size ?? cls.crop, 'square')
    if (c.kind !== 'exact') throw badInput(where, 'crop_size must be a number or {height, width}')
    crop = { width: c.width, height: c.height }
  }
  const resampleRaw = cfg.resample ?? cls.resample
  if (typeof resampleRaw !== 'number' || ![0, 1, 2, 3, 4, 5].includes(resampleRaw)) throw badInput(where, `resample ${JSON.stringify(resampleRaw)} is not a PIL filter id (0-5)`)
  let rescale: number | null = null
  if (flag('do_rescale', true)) {
    const r = cfg.rescale_factor ?? 1 / 255
    if (num(r) === undefined) throw badInput(where, `rescale_factor must be a number, got ${JSON.stringify(r)}`)
    rescale = r as number
  }
  const normalize = flag('do_normalize', true) ? { mean: triple(where, 'image_mean', cfg.image_mean ?? cls.mean), std: triple(where, 'image_std', cfg.image_std ?? cls.std) } : null
  if (normalize && normalize.std.some((s) => s === 0)) throw badInput(where, 'image_std contains 0')
  const order = typeof cfg.channel_order === 'string' ? cfg.channel_order.toUpperCase() : flag('do_flip_channel_order', false) ? 'BGR' : 'RGB'
  if (order !== 'RGB' && order !== 'BGR') throw badInput(where, `channel_order must be RGB or BGR, got ${String(cfg.channel_order)}`)
  return { resize, resample: resampleRaw as PilResample, crop, rescale, normalize, channelOrder: order }
}

/** [width, height] after the resize step (HF get_resize_output_image_size with default_to_square=False). */
export function resizedSize(p: ImagePreprocessing, w: number, h: number): [number, number] {
  if (!p.resize) return [w, h]
  if (p.resize.kind === 'exact') return [p.resize.width, p.resize.height]
  const s = p.resize.size
  // longest_edge: scale = size / long, each side int(side * scale + 0.5), as SamImageProcessor does.
  if (p.resize.kind === 'longest_edge') {
    const scale = s / Math.max(w, h)
    return [Math.max(1, Math.trunc(w * scale + 0.5)), Math.max(1, Math.trunc(h * scale + 0.5))]
  }
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

/** The [height, width] every image gets whatever its size (a crop or an exact resize), else null. */
export function fixedOutputSize(p: ImagePreprocessing): [number, number] | null {
  if (p.crop) return [p.crop.height, p.crop.width]
  if (p.resize?.kind === 'exact') return [p.resize.height, p.resize.width]
  return null
}
