import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeImage, type RgbImage } from '../../../src-main/core/data/image'
import { outputSize, parseImagePreprocessing, preprocessInto } from '../../../src-main/core/data/imageProcessor'
import { FIXTURES, SHAPES } from '../../helpers/fixtures'

// pixel_values written out from each Hugging Face processor class's preprocess with Pillow and NumPy;
// see test/fixtures/processors/make_processor_reference.py.
interface Ref {
  images: { name: string; width: number; height: number; rgb_b64?: string; file?: string }[]
  cases: { name: string; config: Record<string, unknown>; results: { image: string; shape: number[]; f32_b64: string }[] }[]
  convnext_384: { config: Record<string, unknown>; image: string; shape: number[]; stride: number; sample: number[]; sum: number }
}
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'processors', 'processor_reference.json'), 'utf8')) as Ref
const f32 = (b64: string): Float32Array => {
  const b = Buffer.from(b64, 'base64')
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}
const images = new Map<string, RgbImage>(
  ref.images.map((im) => [im.name, im.rgb_b64 ? { data: new Uint8Array(Buffer.from(im.rgb_b64, 'base64')), width: im.width, height: im.height } : decodeImage(path.join(SHAPES, im.file!))]),
)

function run(cfg: Record<string, unknown>, img: RgbImage): { out: Float32Array; h: number; w: number } {
  const p = parseImagePreprocessing('preprocessor_config.json', cfg)
  const [h, w] = outputSize(p, img.width, img.height)
  const out = new Float32Array(3 * h * w)
  preprocessInto(img, p, out, 0)
  return { out, h, w }
}

describe('every Hugging Face processor class matches its preprocess', () => {
  for (const c of ref.cases) {
    it(`${c.name}: pixel_values of ${c.results.length} images (square and non-square) equal the reference`, () => {
      for (const r of c.results) {
        const { out, h, w } = run(c.config, images.get(r.image)!)
        expect([3, h, w]).toEqual(r.shape)
        const want = f32(r.f32_b64)
        // PIL resampling is reproduced bit for bit and the float arithmetic follows numpy's order, so the
        // values agree exactly; 1e-6 leaves room for nothing but last-bit float differences.
        let maxDiff = 0
        for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - want[i]!))
        expect(maxDiff).toBeLessThanOrEqual(1e-6)
      }
    })
  }

  it('ConvNeXt at shortest_edge >= 384 warps to a square without cropping', () => {
    const c = ref.convnext_384
    const { out, h, w } = run(c.config, images.get(c.image)!)
    expect([3, h, w]).toEqual(c.shape)
    c.sample.forEach((v, k) => expect(Math.abs(out[k * c.stride]! - v)).toBeLessThanOrEqual(1e-6))
    let sum = 0
    for (const v of out) sum += v
    expect(Math.abs(sum - c.sum)).toBeLessThan(1e-3)
  })

  it('crop_pct matters: ConvNeXt without it would differ by far more than the tolerance', () => {
    const c = ref.cases.find((x) => x.name === 'convnext-crop-pct')!
    const img = images.get('random-37x23')!
    const withPct = run(c.config, img).out
    const { crop_pct: _drop, ...rest } = c.config
    const noPct = run({ ...rest, crop_pct: 1 }, img).out
    let maxDiff = 0
    for (let i = 0; i < withPct.length; i++) maxDiff = Math.max(maxDiff, Math.abs(withPct[i]! - noPct[i]!))
    expect(maxDiff).toBeGreaterThan(0.1)
  })
})

describe('processor class defaults (transformers __init__ defaults)', () => {
  const parse = (cfg: Record<string, unknown>): ReturnType<typeof parseImagePreprocessing> => parseImagePreprocessing('pp.json', cfg)
  it('ViT: 224 x 224 bilinear, no crop, mean/std 0.5; a bare-int size is square', () => {
    const p = parse({ image_processor_type: 'ViTImageProcessor' })
    expect(p).toEqual({ resize: { kind: 'exact', width: 224, height: 224 }, resample: 2, crop: null, rescale: 1 / 255, normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, channelOrder: 'RGB' })
    expect(parse({ feature_extractor_type: 'ViTFeatureExtractor', size: 384 }).resize).toEqual({ kind: 'exact', width: 384, height: 384 })
    // ViTImageProcessor.preprocess has no crop step, so a stray do_center_crop changes nothing (as in transformers).
    expect(parse({ image_processor_type: 'ViTImageProcessor', do_center_crop: true, crop_size: 200 }).crop).toBeNull()
  })
  it('CLIP and Bit: shortest edge 224 bicubic, centre crop 224, CLIP mean/std; a bare-int size is the shortest edge', () => {
    for (const t of ['CLIPImageProcessor', 'BitImageProcessor', 'CLIPFeatureExtractor']) {
      const p = parse({ image_processor_type: t })
      expect([p.resize, p.crop, p.resample]).toEqual([{ kind: 'shortest_edge', size: 224 }, { width: 224, height: 224 }, 3])
      expect(p.normalize!.mean).toEqual([0.48145466, 0.4578275, 0.40821073])
    }
    expect(parse({ image_processor_type: 'CLIPImageProcessor', size: 256 }).resize).toEqual({ kind: 'shortest_edge', size: 256 })
    expect(parse({ image_processor_type: 'CLIPImageProcessor', do_center_crop: false }).crop).toBeNull()
  })
  it('DeiT and BEiT: 256 x 256 bicubic then centre crop 224', () => {
    for (const t of ['DeiTImageProcessor', 'BeitImageProcessor']) {
      const p = parse({ image_processor_type: t })
      expect([p.resize, p.crop, p.resample]).toEqual([{ kind: 'exact', width: 256, height: 256 }, { width: 224, height: 224 }, 3])
    }
    expect(parse({ image_processor_type: 'DeiTImageProcessor' }).normalize!.mean).toEqual([0.485, 0.456, 0.406])
  })
  it('ConvNeXt: shortest edge 384 bilinear warps to 384 x 384; crop_pct defaults to 224/256 below 384', () => {
    expect(parse({ image_processor_type: 'ConvNextImageProcessor' })).toMatchObject({ resize: { kind: 'exact', width: 384, height: 384 }, crop: null, resample: 2 })
    // int(224 / 0.875) = 256, then a 224 crop.
    expect(parse({ image_processor_type: 'ConvNextImageProcessor', size: 224 })).toMatchObject({ resize: { kind: 'shortest_edge', size: 256 }, crop: { width: 224, height: 224 } })
    expect(parse({ image_processor_type: 'ConvNextImageProcessor', size: { shortest_edge: 224 }, crop_pct: 0.95 }).resize).toEqual({ kind: 'shortest_edge', size: 235 })
    expect(parse({ image_processor_type: 'ConvNextImageProcessor', size: 224, do_resize: false })).toMatchObject({ resize: null, crop: null })
  })
  it('SigLIP: 224 x 224 bicubic, mean/std 0.5; do_flip_channel_order gives BGR', () => {
    expect(parse({ image_processor_type: 'SiglipImageProcessor' })).toMatchObject({ resize: { kind: 'exact', width: 224, height: 224 }, crop: null, resample: 3 })
    expect(parse({ do_flip_channel_order: true }).channelOrder).toBe('BGR')
  })
})

describe('configs that cannot be honoured are refused by name', () => {
  const bad = (cfg: Record<string, unknown>): (() => unknown) => () => parseImagePreprocessing('preprocessor_config.json', cfg)
  it('an unknown processor type', () => {
    expect(bad({ image_processor_type: 'DetrImageProcessor' })).toThrow(/preprocessor_config\.json: image processor type "DetrImageProcessor" is not supported/)
  })
  it('an unknown field (it might change pixels)', () => {
    expect(bad({ image_processor_type: 'ViTImageProcessor', do_thumbnail: true })).toThrow(/unknown image processor field "do_thumbnail"/)
    expect(bad({ do_pad: true })).toThrow(/do_pad is not supported/)
    expect(bad({ data_format: 'channels_last' })).toThrow(/data_format "channels_last"/)
  })
  it('harmless bookkeeping fields are accepted', () => {
    expect(() => parseImagePreprocessing('pp.json', { image_processor_type: 'BeitImageProcessor', processor_class: 'X', do_reduce_labels: false, do_convert_rgb: true, do_pad: false })).not.toThrow()
  })
  it('sizes that are not whole pixels from 1 to 8192', () => {
    expect(bad({ size: 0 })).toThrow(/size must be a whole number of pixels from 1 to 8192, got 0/)
    expect(bad({ size: { height: 32, width: -1 } })).toThrow(/size\.width must be a whole number/)
    expect(bad({ size: { shortest_edge: 22.5 } })).toThrow(/size\.shortest_edge must be a whole number/)
    expect(bad({ size: 100000 })).toThrow(/got 100000/)
    expect(bad({ size: { height: 32 } })).toThrow(/size \{height\} is not supported/)
    expect(bad({ image_processor_type: 'CLIPImageProcessor', crop_size: 'big' })).toThrow(/crop_size must be/)
    expect(bad({ image_processor_type: 'SiglipImageProcessor', size: 224 })).toThrow(/size must be \{height, width\}/)
    expect(bad({ image_processor_type: 'ConvNextImageProcessor', size: 224, crop_pct: 0 })).toThrow(/crop_pct must be a positive number/)
    expect(bad({ image_processor_type: 'ConvNextImageProcessor', size: { height: 224, width: 224 } })).toThrow(/size must be \{shortest_edge\}/)
    expect(bad({ do_resize: 'yes' })).toThrow(/do_resize must be true or false/)
  })
})
