import { badInput } from '../../common/errors'
import { decodeImage } from '../data/image'
import { preprocessInto, type ImagePreprocessing } from '../data/imageProcessor'
import { checkImageSize, type ImageFit } from './imageFit'

/** Preprocessed images of one size: `[rows.length, 3, h, w]` float32, `rows` index into the batch. */
export interface ImageGroup {
  rows: number[]
  h: number
  w: number
  data: Float32Array
}

/**
 * Decodes and preprocesses a batch of images. Images whose preprocessed sizes differ (shortest-edge
 * resize without a crop) cannot share a tensor, so they form separate groups. Pure (no onnxruntime), so
 * it runs in the image worker as well as inline. With `fit`, each image's size is checked against the
 * model's input before it is resized.
 */
export function imageGroups(items: { id: string; image?: string }[], p: ImagePreprocessing, fit?: ImageFit): ImageGroup[] {
  const decoded = items.map((it) => {
    if (!it.image) throw badInput(it.id, 'this item has no image, but the model is a vision model')
    const img = decodeImage(it.image)
    return { img, size: checkImageSize(p, fit, it.image, img.width, img.height) }
  })
  const groups = new Map<string, number[]>()
  decoded.forEach((d, i) => {
    const k = d.size.join('x')
    const g = groups.get(k)
    if (g) g.push(i)
    else groups.set(k, [i])
  })
  const out: ImageGroup[] = []
  for (const rows of groups.values()) {
    const [h, w] = decoded[rows[0]!]!.size
    const plane = 3 * h * w
    const data = new Float32Array(rows.length * plane)
    rows.forEach((r, j) => preprocessInto(decoded[r]!.img, p, data, j * plane))
    out.push({ rows, h, w, data })
  }
  return out
}
