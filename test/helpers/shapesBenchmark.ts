import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { decodeImage } from '../../src-main/core/data/image'
import { SHAPES } from './fixtures'

const SHAPE_NAMES = ['circle', 'square', 'triangle', 'star']
/** Share of the image the shape's bounding square is made to cover, by the dataset's size label. */
const TARGET_SHARE: Record<string, number> = { small: 0.15, medium: 0.45, large: 0.8 }

interface ShapeItem {
  id: string
  image: string
  attributes: { shape: string; size: string }
  geometry: { center_x_px: number; center_y_px: number; radius_px: number }
}

/**
 * A synthetic benchmark in MLE-Bench's released shape (data.jsonl + images/) made from the shapes
 * dataset: "Which of these shapes is in the image?" with the four shapes as options (rotated per
 * question so the answer's letter varies). Each image is a square window around its shape, sized so
 * the shape's bounding square covers 15%, 45% or 80% of it (small, medium, large shapes), and the
 * question is binned by that share as MLE-Bench bins by object size: existence_0-30, 30-60, 60-100.
 */
export function writeShapesBenchmark(dir: string, limit = 256): { dir: string; n: number } {
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true })
  const items = fs
    .readFileSync(path.join(SHAPES, 'captions.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, limit)
    .map((l) => JSON.parse(l) as ShapeItem)
  const lines = items.map((it, i) => {
    const src = decodeImage(path.join(SHAPES, it.image))
    const extent = 2 * it.geometry.radius_px
    const side = Math.min(src.width, src.height, Math.max(2, Math.round(extent / Math.sqrt(TARGET_SHARE[it.attributes.size] ?? 0.15))))
    const clamp = (c: number, max: number): number => Math.min(Math.max(0, Math.round(c - side / 2)), max - side)
    const x0 = clamp(it.geometry.center_x_px, src.width)
    const y0 = clamp(it.geometry.center_y_px, src.height)
    const png = new PNG({ width: side, height: side })
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const s = ((y0 + y) * src.width + x0 + x) * 3
        const d = (y * side + x) * 4
        png.data[d] = src.data[s]!
        png.data[d + 1] = src.data[s + 1]!
        png.data[d + 2] = src.data[s + 2]!
        png.data[d + 3] = 255
      }
    const file = `${it.id}.png`
    fs.writeFileSync(path.join(dir, 'images', file), PNG.sync.write(png))
    const share = Math.min(1, (extent * extent) / (side * side)) * 100
    const bin = share < 30 ? '0-30' : share < 60 ? '30-60' : '60-100'
    const choices = SHAPE_NAMES.map((_, k) => SHAPE_NAMES[(k + i) % 4]!)
    return JSON.stringify({ id: `q${it.id}`, question: 'Which of these shapes is in the image?', choices, answer: it.attributes.shape, sub_task: `existence_${bin}`, image: `images/${file}` })
  })
  fs.writeFileSync(path.join(dir, 'data.jsonl'), lines.join('\n') + '\n')
  return { dir, n: lines.length }
}
