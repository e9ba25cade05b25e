import { badInput } from '../../common/errors'
import type { Mat } from '../../common/matrix'
import { isConstant, rank, spearman } from '../../common/stats'
import { euclideanDistances } from '../maps/mds'
import { procrustes } from '../maps/procrustes'
import { mulberry32 as seededRandom, shuffleInPlace } from '../../common/random'
import type { ColourScores } from '../../common/contract/colour'

/** Upper triangle (i < j, row by row) of a square matrix: the "condensed" form scipy's pdist returns. */
export function condensed(m: Mat): Float64Array {
  const n = m.rows
  const out = new Float64Array((n * (n - 1)) / 2)
  let k = 0
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[k++] = m.data[i * n + j]!
  return out
}

export interface CompareOptions {
  /** Label permutations for the null distribution. Default 1000; 0 skips the test (p-values are then 1). */
  permutations?: number
  /** Seed of the permutation generator. Default 0. */
  seed?: number
}

export interface ColourComparison extends ColourScores {
  /** The embedding after Procrustes alignment (scale allowed, reflection allowed) onto the CIELAB points. */
  aligned: Mat
}

/**
 * How close an embedding of n colours is to their CIELAB coordinates (the PRH colour experiment's
 * comparison, Huh et al. 2024, Fig. 8): orthogonal Procrustes with scaling onto CIELAB and its residual,
 * Spearman's rho between the two sets of pairwise Euclidean distances (in CIELAB these are ΔE76), and a
 * label-permutation test: the embedding's rows are shuffled R times with a seeded generator and both
 * statistics recomputed; p = (1 + #{as good or better}) / (R + 1) (Phipson & Smyth 2010).
 * The embedding may have any number of columns for rho; Procrustes needs as many as `lab` (3).
 */
export function compareToCielab(embedding: Mat, lab: Mat, opts: CompareOptions = {}): ColourComparison {
  const permutations = opts.permutations ?? 1000
  const seed = opts.seed ?? 0
  const n = lab.rows
  if (embedding.rows !== n) throw badInput('colour embedding', `has ${embedding.rows} rows but there are ${n} colours`)
  if (n < 4) throw badInput('colour embedding', `needs at least 4 colours, got ${n}`)
  if (!Number.isInteger(permutations) || permutations < 0) throw badInput('permutations', `must be a non-negative integer, got ${permutations}`)
  const dEmb = condensed(euclideanDistances(embedding))
  const dLab = condensed(euclideanDistances(lab))
  if (isConstant(dEmb)) throw badInput('colour embedding', 'all pairwise distances are equal (e.g. every colour at the same point); the comparison is undefined')
  const fit = procrustes(embedding, lab, {}, 'colour embedding')
  const rho = spearman(dEmb, dLab).rho

  // Permuting the embedding's labels permutes its condensed distances, so their ranks are permuted too:
  // rho_perm needs only Σ rLab_k · rEmb_π(k), the means and variances being permutation-invariant.
  const rEmb = rank(dEmb)
  const rLab = rank(dLab)
  const m = rEmb.length
  let meanE = 0
  let meanL = 0
  for (let k = 0; k < m; k++) {
    meanE += rEmb[k]!
    meanL += rLab[k]!
  }
  meanE /= m
  meanL /= m
  let sEE = 0
  let sLL = 0
  for (let k = 0; k < m; k++) {
    sEE += (rEmb[k]! - meanE) ** 2
    sLL += (rLab[k]! - meanL) ** 2
  }
  const denom = Math.sqrt(sEE * sLL)
  const pairIndex = (i: number, j: number): number => (i < j ? i * n - (i * (i + 1)) / 2 + (j - i - 1) : j * n - (j * (j + 1)) / 2 + (i - j - 1))

  const random = seededRandom(seed)
  const perm = Int32Array.from({ length: n }, (_, i) => i)
  const permuted = { data: new Float64Array(embedding.rows * embedding.cols), rows: n, cols: embedding.cols }
  let rhoHits = 0
  let residHits = 0
  let sum = 0
  let sumSq = 0
  let residSum = 0
  for (let r = 0; r < permutations; r++) {
    shuffleInPlace(perm, random)
    let cross = 0
    let k = 0
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) cross += (rLab[k++]! - meanL) * (rEmb[pairIndex(perm[i]!, perm[j]!)]! - meanE)
    }
    const rhoPerm = cross / denom
    sum += rhoPerm
    sumSq += rhoPerm * rhoPerm
    if (rhoPerm >= rho - 1e-12) rhoHits++
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < embedding.cols; c++) permuted.data[i * embedding.cols + c] = embedding.data[perm[i]! * embedding.cols + c]!
    }
    const residPerm = procrustes(permuted, lab, {}, 'colour embedding').residual
    residSum += residPerm
    if (residPerm <= fit.residual + 1e-12) residHits++
  }
  const nullMean = permutations > 0 ? sum / permutations : 0
  const nullSd = permutations > 1 ? Math.sqrt(Math.max(0, (sumSq - permutations * nullMean * nullMean) / (permutations - 1))) : 0
  return {
    procrustesResidual: fit.residual,
    spearman: rho,
    pValue: (1 + rhoHits) / (permutations + 1),
    nullMean,
    nullSd,
    residualPValue: (1 + residHits) / (permutations + 1),
    residualNullMean: permutations > 0 ? residSum / permutations : 1,
    permutations,
    seed,
    aligned: fit.aligned,
  }
}
