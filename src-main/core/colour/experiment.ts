import { badInput, isAppError } from '../../common/errors'
import { layerOf, type Mat, type Tensor3 } from '../../common/matrix'
import { classicalMds, euclideanDistances } from '../maps/mds'
import { compareToCielab } from './compare'
import { hexToRgb, labOfHex, type Triple } from './cielab'
import type { Cooccurrence } from './cooccurrence'
import { mutualKnnChance, mutualKnnFromDistances } from './neighbours'
import { pmiKernel, pmiToDistances, subMatrix, type KernelDistance, type PmiOptions } from './pmi'
import { validateTerms, type ColourTerm } from './terms'
import type { ColourExperimentOptions, ColourPoint, ColourScores, ColourLayerResult, CooccurrenceResult, ColourExperimentResult } from '../../common/contract/colour'

export type { ColourExperimentOptions, ColourPoint, ColourScores, ColourLayerResult, CooccurrenceResult, ColourExperimentResult } from '../../common/contract/colour'

/** Per-layer features of the colour terms from one model: [nTerms, L, D], rows in term order. */
export interface LayeredColourFeatures {
  features: Tensor3
  /** Display names of the layers (default "0", "1", ...). */
  layerNames?: readonly string[]
}

export interface ColourExperimentInput {
  terms: readonly ColourTerm[]
  /** Colour words embedded by a text model (see colourPrompts / poolTemplateFeatures). */
  language?: LayeredColourFeatures
  /** Solid swatches (solidSwatches) embedded by a vision model. */
  visionModel?: LayeredColourFeatures
  /** Colour co-occurrence in images (colourCooccurrence, or its counts matrix). */
  cooccurrence?: Cooccurrence | Mat
}

export const CHANCE_NOTE =
  'Untrained (random-weight) language models are expected to score at chance: Spearman rho near the permutation ' +
  'mean (about 0) with p-values anywhere in (0, 1], a Procrustes residual near its permutation mean, and mutual ' +
  'k-NN near k/(n-1). Vision models on solid swatches are different: even with random weights their layers map ' +
  'uniform colours almost linearly from RGB, and RGB already correlates with CIELAB, so compare them with the ' +
  'RGB baseline rather than with chance.'

/**
 * The PRH colour experiment ("what are they converging to?", Huh et al. 2024, §5 and Fig. 8) on the user's
 * models and images: each colour space (text-model layers, vision-model layers on swatches, image
 * co-occurrence PMI) is embedded in 3-D with classical MDS, aligned to CIELAB by Procrustes, and scored
 * against CIELAB (compareToCielab: residual, Spearman of distances, permutation p-values); mutual k-NN
 * compares the spaces' own distance matrices pairwise. Degenerate layers (e.g. a ViT's layer-0 CLS token,
 * identical for every image) get null scores and a note rather than NaN.
 */
export function colourExperiment(input: ColourExperimentInput, opts: ColourExperimentOptions = {}): ColourExperimentResult {
  const { terms } = input
  validateTerms(terms)
  const n = terms.length
  const parameters = {
    permutations: opts.permutations ?? 1000,
    seed: opts.seed ?? 0,
    k: Math.min(opts.k ?? 5, n - 2),
    normalize: opts.normalize ?? true,
    dims: opts.dims ?? 3,
    kernelDistance: opts.kernelDistance ?? 'kernel',
    minShare: opts.minShare ?? 1e-4,
    pmi: { alpha: opts.pmi?.alpha ?? 1, positive: opts.pmi?.positive ?? false },
  }
  if (!Number.isInteger(parameters.k) || parameters.k < 1) throw badInput('k', `must be a positive integer, got ${opts.k}`)
  if (parameters.dims !== 3) throw badInput('dims', `the comparison with CIELAB needs 3 dimensions, got ${parameters.dims}`)
  const lab = labOfHex(terms.map((t) => t.hex))
  const labD = euclideanDistances(lab)
  const compareOpts = { permutations: parameters.permutations, seed: parameters.seed }

  const cooc = input.cooccurrence ? cooccurrenceSpace(input.cooccurrence, terms, lab, parameters, compareOpts) : null

  const layered = (space: LayeredColourFeatures, label: string): ColourLayerResult[] => {
    const f = space.features
    if (f.n !== n) throw badInput(label, `has features for ${f.n} items but there are ${n} colour terms`)
    if (space.layerNames && space.layerNames.length !== f.layers) {
      throw badInput(label, `${space.layerNames.length} layer names for ${f.layers} layers`)
    }
    const out: ColourLayerResult[] = []
    for (let l = 0; l < f.layers; l++) {
      const x = layerOf(f, l)
      requireFinite(x, `${label} layer ${l}`)
      const d = euclideanDistances(parameters.normalize ? l2Normalised(x) : x)
      const name = space.layerNames?.[l] ?? String(l)
      const base = { layer: l, name }
      if (allZero(d)) {
        out.push({ ...base, scores: null, note: 'every colour has the same features at this layer', mds: null, mutualKnn: { cielab: null, cooccurrence: null }, points: [] })
        continue
      }
      const mds = classicalMds(d, 3, `${label} layer ${l}`)
      const { scores, points, note } = scoreEmbedding(mds.coords, lab, terms, compareOpts)
      const coocKnn = cooc?.distances && cooc.index.length > parameters.k + 1 ? mutualKnnFromDistances(subMatrix(d, cooc.index), cooc.distances, parameters.k) : null
      out.push({
        ...base,
        scores,
        ...(note ? { note } : {}),
        mds: { explained: mds.explained, stress: mds.stress },
        mutualKnn: { cielab: mutualKnnFromDistances(d, labD, parameters.k), cooccurrence: coocKnn },
        points,
      })
    }
    return out
  }

  return {
    terms: terms.map((t, i) => ({ name: t.name, hex: t.hex, lab: [lab.data[i * 3]!, lab.data[i * 3 + 1]!, lab.data[i * 3 + 2]!] as Triple })),
    cielab: pointsOf(lab, terms),
    language: input.language ? layered(input.language, 'language features') : null,
    visionModel: input.visionModel ? layered(input.visionModel, 'vision features') : null,
    cooccurrence: cooc?.result ?? null,
    rgbBaseline: rgbBaseline(terms, lab, compareOpts),
    mutualKnn: { k: parameters.k, chance: mutualKnnChance(n, parameters.k) },
    parameters,
    chanceNote: CHANCE_NOTE,
  }
}

function cooccurrenceSpace(
  c: Cooccurrence | Mat,
  terms: readonly ColourTerm[],
  lab: Mat,
  p: { k: number; kernelDistance: KernelDistance; minShare: number; pmi: Required<PmiOptions> },
  compareOpts: { permutations: number; seed: number },
): { result: CooccurrenceResult; distances: Mat | null; index: number[] } {
  const counts = 'counts' in c ? c.counts : c
  const n = terms.length
  if (counts.rows !== n || counts.cols !== n) throw badInput('co-occurrence counts', `must be ${n}x${n} for ${n} colour terms, got ${counts.rows}x${counts.cols}`)
  let total = 0
  const rowSum = new Float64Array(n)
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) rowSum[a]! += counts.data[a * n + b]!
    total += rowSum[a]!
  }
  const index: number[] = []
  for (let a = 0; a < n; a++) if (total > 0 && rowSum[a]! / total >= p.minShare && rowSum[a]! > 0) index.push(a)
  const used = index.map((i) => terms[i]!)
  const absentTerms = terms.filter((_, i) => !index.includes(i)).map((t) => t.name)
  const empty = { terms: used.map((t) => t.name), absentTerms, scores: null, mds: null, mutualKnn: { cielab: null }, points: [] }
  if (index.length < 4) {
    return { result: { ...empty, note: `only ${index.length} colour terms occur in the images; at least 4 are needed` }, distances: null, index }
  }
  const d = pmiToDistances(pmiKernel(subMatrix(counts, index), p.pmi), p.kernelDistance)
  if (allZero(d)) return { result: { ...empty, note: 'every colour co-occurs alike; the PMI distances are all zero' }, distances: null, index }
  const subLab = rowsOf(lab, index)
  const mds = classicalMds(d, 3, 'co-occurrence')
  const { scores, points, note } = scoreEmbedding(mds.coords, subLab, used, compareOpts)
  const k = Math.min(p.k, index.length - 2)
  return {
    result: {
      ...empty,
      scores,
      ...(note ? { note } : {}),
      mds: { explained: mds.explained, stress: mds.stress },
      mutualKnn: { cielab: mutualKnnFromDistances(d, euclideanDistances(subLab), k) },
      points,
    },
    distances: d,
    index,
  }
}

function rgbBaseline(terms: readonly ColourTerm[], lab: Mat, compareOpts: { permutations: number; seed: number }): ColourScores {
  const rgb = new Float64Array(terms.length * 3)
  terms.forEach((t, i) => rgb.set(hexToRgb(t.hex), i * 3))
  const { aligned: _aligned, ...scores } = compareToCielab({ data: rgb, rows: terms.length, cols: 3 }, lab, compareOpts)
  return scores
}

function scoreEmbedding(
  coords: Mat,
  lab: Mat,
  terms: readonly ColourTerm[],
  compareOpts: { permutations: number; seed: number },
): { scores: ColourScores | null; points: ColourPoint[]; note?: string } {
  try {
    const { aligned, ...scores } = compareToCielab(coords, lab, compareOpts)
    return { scores, points: pointsOf(aligned, terms) }
  } catch (e) {
    if (!isAppError(e)) throw e
    return { scores: null, points: [], note: e.message }
  }
}

function pointsOf(m: Mat, terms: readonly ColourTerm[]): ColourPoint[] {
  return terms.map((t, i) => ({ term: t.name, hex: t.hex, x: m.data[i * 3]!, y: m.data[i * 3 + 1]!, z: m.data[i * 3 + 2]! }))
}

function rowsOf(m: Mat, index: readonly number[]): Mat {
  const out = new Float64Array(index.length * m.cols)
  index.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols))
  return { data: out, rows: index.length, cols: m.cols }
}

function l2Normalised(x: Mat): Mat {
  const out = new Float64Array(x.rows * x.cols)
  for (let i = 0; i < x.rows; i++) {
    let s = 0
    for (let c = 0; c < x.cols; c++) s += x.data[i * x.cols + c]! ** 2
    // A zero vector stays zero rather than becoming NaN.
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0
    for (let c = 0; c < x.cols; c++) out[i * x.cols + c] = x.data[i * x.cols + c]! * inv
  }
  return { data: out, rows: x.rows, cols: x.cols }
}

function requireFinite(x: Mat, where: string): void {
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i]!)) throw badInput(where, `feature value ${i} is ${x.data[i]}; expected finite numbers`)
  }
}

function allZero(d: Mat): boolean {
  // Identical vectors give distances of 0 up to rounding in the normalisation.
  for (let i = 0; i < d.data.length; i++) if (d.data[i]! > 1e-12) return false
  return true
}
