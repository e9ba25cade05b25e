import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { badInput } from '../common/errors'
import { saveColourRun } from '../core/colour/colourRunStore'
import { colourCooccurrence } from '../core/colour/cooccurrence'
import { colourExperiment, type LayeredColourFeatures } from '../core/colour/experiment'
import { decodeImages, listImageFiles } from '../core/colour/imageFolder'
import { solidSwatches } from '../core/colour/swatches'
import { colourTerms } from '../core/colour/terms'
import { extractFeatures } from '../core/features/extract'
import { loadFeatures } from '../core/features/store'
import { listDatasets } from '../core/registry/datasets'
import { getModel, listModels } from '../core/registry/models'
import type { Workspace } from '../core/store/workspace'
import type { JobFn } from './context'
import { throwIfCancelled } from './context'

/** Inputs made by the app (colour words, swatches) live in the workspace, never next to user files. */
function inputsDir(ws: Workspace): string {
  const dir = path.join(ws.dir, 'inputs', 'colour')
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

function writeIfChanged(file: string, bytes: Uint8Array | string): void {
  const next = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes)
  if (fs.existsSync(file) && fs.readFileSync(file).equals(next)) return
  fs.writeFileSync(file, next)
}

/**
 * The colour experiment of the PRH paper on the user's own models and images: colour words embedded
 * by a text model (every layer), solid swatches by a vision model, colour co-occurrence in an image
 * folder; each compared with CIELAB (Procrustes, Spearman of distances, permutation p-values, mutual
 * k-NN). The result is stored with its parameters.
 */
export const colourJob: JobFn<'colour'> = async ({ ws, params: p, progress, signal }) => {
  const terms = colourTerms()
  const t0 = performance.now()
  const models = listModels(ws)
  const textModel = p.textModelId ? getModel(ws, p.textModelId) : models.find((m) => m.modality === 'text')
  const visionModel = p.visionModelId ? getModel(ws, p.visionModelId) : models.find((m) => m.modality === 'vision')
  const imageDir = p.imageDir ?? (() => {
    const d = listDatasets(ws).find((x) => x.hasImages && x.format === 'captions-folder')
    return d ? path.join(d.path, 'images') : undefined
  })()
  if (!textModel && !visionModel && !imageDir) throw badInput('colour', 'nothing to compare: add a text model, a vision model or choose an image folder')
  const dir = inputsDir(ws)

  let language: LayeredColourFeatures | undefined
  if (textModel) {
    const words = path.join(dir, 'colour-terms.txt')
    writeIfChanged(words, terms.map((t) => t.name).join('\n') + '\n')
    const r = await extractFeatures(ws, { modelPath: textModel.path, datasetPath: words, layers: 'all', pool: 'auto', batch: 32, ep: 'auto' }, { onProgress: (f, m) => progress(0.3 * f, `${textModel.name}: ${m}`), signal })
    language = { features: loadFeatures(ws, r.feature_set), layerNames: r.layers }
  }
  throwIfCancelled(signal)
  let vision: LayeredColourFeatures | undefined
  if (visionModel) {
    const sw = path.join(dir, 'swatches')
    fs.mkdirSync(sw, { recursive: true })
    solidSwatches(terms, 32).forEach((img, i) => {
      const png = new PNG({ width: img.width, height: img.height })
      for (let q = 0; q < img.width * img.height; q++) {
        png.data[q * 4] = img.data[q * 3]!
        png.data[q * 4 + 1] = img.data[q * 3 + 1]!
        png.data[q * 4 + 2] = img.data[q * 3 + 2]!
        png.data[q * 4 + 3] = 255
      }
      writeIfChanged(path.join(sw, `${String(i).padStart(2, '0')}-${terms[i]!.name}.png`), PNG.sync.write(png))
    })
    const r = await extractFeatures(ws, { modelPath: visionModel.path, datasetPath: sw, layers: 'all', pool: 'auto', batch: 32, ep: 'auto' }, { onProgress: (f, m) => progress(0.3 + 0.3 * f, `${visionModel.name}: ${m}`), signal })
    vision = { features: loadFeatures(ws, r.feature_set), layerNames: r.layers }
  }
  throwIfCancelled(signal)
  let cooccurrence
  if (imageDir) {
    const files = listImageFiles(imageDir, ['.png', '.jpg', '.jpeg']).filter((f, _i, all) => !(f.endsWith('.jpg') && all.includes(f.replace(/\.jpg$/, '.png'))))
    cooccurrence = colourCooccurrence(decodeImages(files, (d, n) => progress(0.6 + (0.3 * d) / n, `co-occurrence: image ${d} of ${n}`)), terms, { radius: 1 })
  }
  progress(0.92, 'comparing with CIELAB')
  const result = colourExperiment({ terms, language, visionModel: vision, cooccurrence }, { permutations: p.permutations ?? 1000, seed: p.seed ?? 0, k: p.k })
  const stored = {
    textModel: textModel?.name ?? null,
    visionModel: visionModel?.name ?? null,
    imageDir: imageDir ?? null,
    permutations: p.permutations ?? 1000,
    seed: p.seed ?? 0,
  }
  const seconds = Math.round((performance.now() - t0) / 10) / 100
  const id = saveColourRun(ws, { params: stored, result, seconds })
  progress(1, 'done')
  return { run: id, seconds }
}
