import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { decodePngFast } from '../../../src-main/core/data/pngFast'
import { mulberry32 } from '../../../src-main/common/random'
import { SHAPES } from '../../helpers/fixtures'

/** pngjs (the general decoder) as the reference: RGBA → RGB with alpha dropped. */
function reference(buf: Buffer): Uint8Array {
  const png = PNG.sync.read(buf)
  const out = new Uint8Array(png.width * png.height * 3)
  for (let p = 0; p < png.width * png.height; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = png.data[p * 4 + c]!
  return out
}

describe('decodePngFast', () => {
  it('decodes every shapes-256 PNG exactly as pngjs does', () => {
    const dir = path.join(SHAPES, 'images')
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png'))
    expect(files.length).toBe(256)
    for (const f of files) {
      const buf = fs.readFileSync(path.join(dir, f))
      const fast = decodePngFast(buf)
      expect(fast, f).not.toBeNull()
      expect(Buffer.from(fast!.rgb).equals(Buffer.from(reference(buf))), f).toBe(true)
    }
  })

  it('handles every scanline filter for RGB and RGBA, odd sizes included', () => {
    const rnd = mulberry32(7)
    for (const colorType of [2, 6] as const) {
      for (const filterType of [0, 1, 2, 3, 4]) {
        const w = 13
        const h = 7
        const png = new PNG({ width: w, height: h, colorType, inputHasAlpha: true })
        for (let i = 0; i < png.data.length; i++) png.data[i] = Math.floor(rnd() * 256)
        const buf = PNG.sync.write(png, { colorType, filterType })
        const fast = decodePngFast(buf)
        expect(fast, `colour ${colorType} filter ${filterType}`).not.toBeNull()
        expect(fast!.width).toBe(w)
        expect(Buffer.from(fast!.rgb).equals(Buffer.from(reference(buf)))).toBe(true)
      }
    }
  })

  it('declines what it does not handle (grey, palette-free 16-bit, corrupt data), leaving it to pngjs', () => {
    const png = new PNG({ width: 4, height: 4, colorType: 0, inputHasAlpha: false })
    png.data.fill(128)
    expect(decodePngFast(PNG.sync.write(png, { colorType: 0 }))).toBeNull()
    const good = fs.readFileSync(path.join(SHAPES, 'images', '001.png'))
    const broken = Buffer.from(good)
    broken.fill(0, 40, 60)
    expect(decodePngFast(broken)).toBeNull()
    expect(decodePngFast(good.subarray(0, good.length - 20))).toBeNull()
  })
})
