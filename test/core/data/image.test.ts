import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeImage, type RgbImage } from '../../../src-main/core/data/image'
import { outputSize, parseImagePreprocessing, preprocessInto } from '../../../src-main/core/data/imageProcessor'
import { pilResize, type PilResample } from '../../../src-main/core/data/resize'
import { FIXTURES, MODELS, SHAPES } from '../../helpers/fixtures'

// Numbers from Pillow 9.4.0 / NumPy; see test/fixtures/extract/make_reference.py.
interface Ref {
  jpeg: { file: string; subsampling: string; width: number; height: number; rgb_b64: string }[]
  random_image: { width: number; height: number; rgb_b64: string }
  resize: { source: string; width: number; height: number; resample: number; rgb_b64: string }[]
  vit_pixel_values: { file: string; values: number[] }[]
  clip_pixel_values: { shortest_edge: number; crop: number; mean: number[]; std: number[]; values: number[] }
}
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'extract', 'image_reference.json'), 'utf8')) as Ref
const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'))
const randomImage: RgbImage = { data: bytes(ref.random_image.rgb_b64), width: ref.random_image.width, height: ref.random_image.height }

describe('decodeImage', () => {
  it('decodes PNG to 8-bit RGB', () => {
    const img = decodeImage(path.join(SHAPES, 'images', '000.png'))
    expect([img.width, img.height, img.data.length]).toEqual([32, 32, 32 * 32 * 3])
  })

  for (const j of ref.jpeg) {
    it(`decodes ${j.file} (${j.subsampling}) like libjpeg (max ±3, mean < 0.05)`, () => {
      const img = decodeImage(path.join(SHAPES, j.file))
      const want = bytes(j.rgb_b64)
      expect([img.width, img.height]).toEqual([j.width, j.height])
      let maxDiff = 0
      let sum = 0
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(img.data[i]! - want[i]!)
        maxDiff = Math.max(maxDiff, d)
        sum += d
      }
      // Chroma upsampling and colour conversion follow libjpeg exactly; what is left is jpeg-js's float
      // IDCT against libjpeg's integer one: on these images max 2-3, mean 0.02-0.03 (plain jpeg-js: max 62 on 4:2:0).
      expect(maxDiff).toBeLessThanOrEqual(3)
      expect(sum / want.length).toBeLessThan(0.05)
    })
  }

  it('refuses a file that is not an image, naming it', () => {
    const f = path.join(FIXTURES, 'models', 'broken', 'not-onnx.onnx')
    expect(() => decodeImage(f)).toThrow(/not-onnx\.onnx: not a PNG or JPEG/)
  })

  it('refuses a truncated PNG with a clear message', () => {
    const buf = fs.readFileSync(path.join(SHAPES, 'images', '001.png'))
    expect(() => decodeImage('cut.png', buf.subarray(0, 60))).toThrow(/cut\.png: cannot decode the PNG/)
  })
})

describe('pilResize matches Pillow exactly', () => {
  const shape5 = decodeImage(path.join(SHAPES, 'images', '005.png'))
  for (const r of ref.resize) {
    it(`${r.source} -> ${r.width}x${r.height} resample ${r.resample}`, () => {
      const src = r.source === 'random' ? randomImage : shape5
      const out = pilResize(src, r.width, r.height, r.resample as PilResample)
      expect([out.width, out.height]).toEqual([r.width, r.height])
      expect(Buffer.from(out.data).equals(Buffer.from(bytes(r.rgb_b64)))).toBe(true)
    })
  }

  it('is the identity when the size does not change', () => {
    expect(pilResize(randomImage, 37, 23, 3)).toBe(randomImage)
  })
})

describe('Hugging Face preprocessing', () => {
  it('reproduces ViTImageProcessor pixel_values for vit-tiny bit for bit', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(MODELS, 'vit-tiny', 'preprocessor_config.json'), 'utf8'))
    const p = parseImagePreprocessing('preprocessor_config.json', cfg)
    expect(p.resize).toEqual({ kind: 'exact', width: 32, height: 32 })
    expect(p.resample).toBe(2)
    for (const v of ref.vit_pixel_values) {
      const img = decodeImage(path.join(SHAPES, v.file))
      const out = new Float32Array(3 * 32 * 32)
      preprocessInto(img, p, out, 0)
      expect(Array.from(out)).toEqual(Array.from(Float32Array.from(v.values)))
    }
  })

  it('reproduces CLIP-style shortest-edge resize + centre crop + normalise', () => {
    const c = ref.clip_pixel_values
    const p = parseImagePreprocessing('clip.json', {
      image_processor_type: 'CLIPImageProcessor',
      size: { shortest_edge: c.shortest_edge },
      crop_size: { height: c.crop, width: c.crop },
      do_center_crop: true,
      resample: 3,
      image_mean: c.mean,
      image_std: c.std,
    })
    expect(outputSize(p, 37, 23)).toEqual([16, 16])
    const out = new Float32Array(3 * 16 * 16)
    preprocessInto(randomImage, p, out, 0)
    const want = Float32Array.from(c.values)
    let maxDiff = 0
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - want[i]!))
    expect(maxDiff).toBeLessThan(1e-6)
  })

  it('BGR channel order swaps the planes', () => {
    const base = { size: { height: 23, width: 37 }, do_normalize: false, do_rescale: false }
    const rgb = new Float32Array(3 * 23 * 37)
    const bgr = new Float32Array(3 * 23 * 37)
    preprocessInto(randomImage, parseImagePreprocessing('a', base), rgb, 0)
    preprocessInto(randomImage, parseImagePreprocessing('b', { ...base, channel_order: 'BGR' }), bgr, 0)
    const plane = 23 * 37
    expect(Array.from(bgr.subarray(0, plane))).toEqual(Array.from(rgb.subarray(2 * plane)))
  })

  it('centre crop larger than the image pads with the normalised value of 0, on every side', () => {
    // Independent per-pixel arithmetic (transformers' order: pad with 0, rescale in float64, normalise in
    // float32) against the table-driven implementation, for an odd-sized 5 x 3 image in a 9 x 8 crop.
    const img = { width: 5, height: 3, data: Uint8Array.from({ length: 45 }, (_, i) => (i * 37 + 11) % 256) }
    const cfg = { do_resize: false, crop_size: { height: 9, width: 8 }, do_center_crop: true, image_mean: [0.4, 0.5, 0.6], image_std: [0.2, 0.3, 0.25], channel_order: 'BGR' }
    const p = parseImagePreprocessing('pad.json', cfg)
    const out = new Float32Array(3 * 9 * 8 + 4).fill(NaN)
    preprocessInto(img, p, out, 4)
    const f = Math.fround
    const top = Math.floor((3 - 9) / 2)
    const left = Math.floor((5 - 8) / 2)
    for (let c = 0; c < 3; c++) {
      const src = 2 - c
      for (let y = 0; y < 9; y++) {
        for (let x = 0; x < 8; x++) {
          const sy = y + top
          const sx = x + left
          const byte = sy >= 0 && sy < 3 && sx >= 0 && sx < 5 ? img.data[(sy * 5 + sx) * 3 + src]! : 0
          const want = f(f(f(byte * (1 / 255)) - f(cfg.image_mean[src]!)) / f(cfg.image_std[src]!))
          expect(out[4 + c * 72 + y * 8 + x]).toBe(want)
        }
      }
    }
    expect(out.subarray(0, 4).every(Number.isNaN)).toBe(true)
  })

  it('rejects configs it cannot honour, naming the file', () => {
    expect(() => parseImagePreprocessing('pp.json', { resample: 9 })).toThrow(/pp\.json: resample 9/)
    expect(() => parseImagePreprocessing('pp.json', { image_std: [0, 1, 1] })).toThrow(/pp\.json: image_std contains 0/)
    expect(() => parseImagePreprocessing('pp.json', { image_mean: [1, 2] })).toThrow(/pp\.json: image_mean/)
  })
})
