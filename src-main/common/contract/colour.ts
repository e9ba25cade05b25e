/**
 * The colour experiment that crosses the API (Colour view): colour words, solid swatches and image
 * co-occurrence embedded and compared with CIELAB (the PRH paper's Fig. 8), and a stored run.
 */

/** A colour as three numbers; which space is said by the function that returns it. */
export type Triple = [number, number, number]

export interface PmiOptions {
  /** Add-α (Laplace) smoothing added to every cell before normalising. Default 1 (one pseudo-pair per cell). */
  alpha?: number
  /** Positive PMI: max(PMI, 0) (Bullinaria & Levy 2007). Default false. */
  positive?: boolean
}

/**
 * How a similarity kernel K becomes distances for MDS.
 * - 'kernel': d_ab = √max(0, K_aa + K_bb − 2 K_ab), the distance between points whose inner products are
 *   K (exact when K is positive semi-definite); any constant added to K cancels. The default, because the
 *   PRH argument is that representations' inner products approximate K_PMI + c.
 * - 'shift': d_ab = max_{i≠j} K_ij − K_ab for a ≠ b, 0 on the diagonal: uses only the off-diagonal
 *   associations, so a colour's self-association (its spatial clumping) does not move it.
 */
export type KernelDistance = 'kernel' | 'shift'

export interface ColourExperimentOptions {
  /** Label permutations per comparison (default 1000) and their seed (default 0). */
  permutations?: number
  seed?: number
  /** Neighbours for mutual k-NN (default 5, lowered to n − 2 when there are few colours). */
  k?: number
  /** L2-normalise each model feature vector before distances, as the PRH metrics do (default true). */
  normalize?: boolean
  /** MDS dimensions (default 3; Procrustes onto CIELAB needs 3). */
  dims?: number
  pmi?: PmiOptions
  kernelDistance?: KernelDistance
  /**
   * Colours making up less than this share of all co-occurrence pairs are left out of the image side as
   * too rare for a stable PMI, and listed in `absentTerms` (default 1e-4).
   */
  minShare?: number
}

/** A colour placed in a 3-D space (already aligned to CIELAB where it is an embedding). */
export interface ColourPoint {
  term: string
  hex: string
  x: number
  y: number
  z: number
}

export interface ColourLayerResult {
  layer: number
  name: string
  /** null when the layer is degenerate (see `note`). */
  scores: ColourScores | null
  note?: string
  mds: { explained: number; stress: number } | null
  /** Mutual k-NN of this layer's feature distances with CIELAB ΔE and with the image co-occurrence distances. */
  mutualKnn: { cielab: number | null; cooccurrence: number | null }
  /** MDS embedding after Procrustes onto CIELAB; empty when degenerate. */
  points: ColourPoint[]
}

export interface CooccurrenceResult {
  /** Terms that took part (frequent enough in the images), in term order. */
  terms: string[]
  absentTerms: string[]
  scores: ColourScores | null
  note?: string
  mds: { explained: number; stress: number } | null
  mutualKnn: { cielab: number | null }
  points: ColourPoint[]
}

export interface ColourExperimentResult {
  terms: { name: string; hex: string; lab: Triple }[]
  /** The reference space itself, for the third plot. */
  cielab: ColourPoint[]
  language: ColourLayerResult[] | null
  visionModel: ColourLayerResult[] | null
  cooccurrence: CooccurrenceResult | null
  /**
   * The colours' own sRGB coordinates (0..255) scored against CIELAB the same way: the trivial baseline
   * any space that is a near-linear function of RGB (e.g. a random vision network on swatches) reaches.
   */
  rgbBaseline: ColourScores
  /** k used for mutual k-NN and its chance level k / (n − 1) over all terms. */
  mutualKnn: { k: number; chance: number }
  parameters: Required<Omit<ColourExperimentOptions, 'pmi'>> & { pmi: Required<PmiOptions> }
  /** What chance-level numbers look like, for the view to show next to the scores. */
  chanceNote: string
}

/** How close an embedding of the colours is to CIELAB, with its permutation null (see core/colour/compare.ts). */
export interface ColourScores {
  /** scipy.spatial.procrustes disparity of the embedding against CIELAB (0 best, 1 worst). */
  procrustesResidual: number
  /** Spearman's rho between the condensed pairwise-distance vectors of the embedding and of CIELAB (ΔE76). */
  spearman: number
  /** One-sided permutation p-value of rho: (1 + #{rho_perm ≥ rho}) / (R + 1). */
  pValue: number
  /** Mean and SD (ddof 1) of rho over the label permutations: the chance level to show next to rho. */
  nullMean: number
  nullSd: number
  /** (1 + #{residual_perm ≤ residual}) / (R + 1): is the Procrustes fit better than for shuffled labels? */
  residualPValue: number
  /** Mean Procrustes residual over the permutations (its chance level). */
  residualNullMean: number
  permutations: number
  seed: number
}

/** A stored run of the colour experiment (`colour.latest`). */
export interface ColourRun {
  id: string
  params: { textModel: string | null; visionModel: string | null; imageDir: string | null; permutations: number; seed: number }
  result: ColourExperimentResult
  seconds: number
  createdAt: string
}
