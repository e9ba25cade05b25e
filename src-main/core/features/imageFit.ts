import { badInput } from '../../common/errors'
import { fixedOutputSize, MAX_IMAGE_EDGE, outputSize, resizedSize, type ImagePreprocessing } from '../data/imageProcessor'

/**
 * What the model's image input accepts, for checking preprocessed sizes before anything runs: a size
 * the model cannot take would fail inside onnxruntime after minutes of work, or (a typo such as 4000
 * for 40) cost gigabytes first. Plain data, so it travels to the preparation worker.
 */
export interface ImageFit {
  /** The preprocessing config (preprocessor_config.json or sidecar), named in errors. */
  source: string
  /** The model file and its input, as declared. */
  model: string
  input: string
  shape: (number | string | null)[] | null
}

function declared(fit: ImageFit): string {
  return `${fit.model} declares input ${fit.input} as [${(fit.shape ?? []).map((d) => (typeof d === 'number' ? d : '?')).join(', ')}]`
}

/** Fixed height and width of a `[B, C, H, W]` input, null where an axis is dynamic. */
function fixedHW(fit: ImageFit): [number | null, number | null] {
  const s = fit.shape
  if (!s || s.length !== 4) return [null, null]
  return [typeof s[2] === 'number' ? s[2] : null, typeof s[3] === 'number' ? s[3] : null]
}

function mismatch(fit: ImageFit, h: number, w: number): boolean {
  const [mh, mw] = fixedHW(fit)
  return (mh !== null && mh !== h) || (mw !== null && mw !== w)
}

/**
 * Checks, before any image is read, what can be checked from the config alone: the channel count and,
 * when every image comes out the same size (a crop or an exact resize), that size against the input.
 */
export function checkImageFit(p: ImagePreprocessing, fit: ImageFit): void {
  const s = fit.shape
  if (s && s.length !== 4) throw badInput(fit.model, `image input ${fit.input} has ${s.length} axes; expected [batch, 3, height, width]`)
  if (s && typeof s[1] === 'number' && s[1] !== 3) throw badInput(fit.model, `${declared(fit)}: ${s[1]} channels, but images are preprocessed to 3 (RGB)`)
  const out = fixedOutputSize(p)
  if (out && mismatch(fit, out[0], out[1])) throw badInput(fit.source, `preprocessing gives ${out[0]}x${out[1]} images (height x width), but ${declared(fit)}`)
}

/**
 * Checks one image's sizes before it is resized: the resized image stays within MAX_IMAGE_EDGE (a
 * shortest-edge resize of a very long image would not), and the final size fits the input.
 */
export function checkImageSize(p: ImagePreprocessing, fit: ImageFit | undefined, image: string, width: number, height: number): [number, number] {
  const [rw, rh] = resizedSize(p, width, height)
  const where = fit?.source ?? image
  if (rw > MAX_IMAGE_EDGE || rh > MAX_IMAGE_EDGE || rw < 1 || rh < 1) throw badInput(where, `resizing ${image} (${width}x${height}) would give ${rw}x${rh} pixels (width x height), beyond 1..${MAX_IMAGE_EDGE}`)
  const out = outputSize(p, width, height)
  if (fit && mismatch(fit, out[0], out[1])) throw badInput(where, `preprocessing gives ${image} (${width}x${height}) the size ${out[0]}x${out[1]} (height x width), but ${declared(fit)}; add a centre crop or an exact size`)
  return out
}

/** The fit of a vision model's image input (the fields of ModelInfo it needs), or undefined when it has none. */
export function imageFitOf(info: { file: string; imageSource: string | null; imageInput: string | null; inputs: { name: string; shape: (number | string | null)[] | null }[] }): ImageFit | undefined {
  const input = info.inputs.find((i) => i.name === info.imageInput)
  if (!input) return undefined
  return { source: info.imageSource ?? info.file, model: info.file, input: input.name, shape: input.shape }
}
