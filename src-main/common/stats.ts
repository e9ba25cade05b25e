import { badInput } from './errors'

/**
 * Small statistics kernels shared by the evaluation, mixture and alignment analyses.
 * All pure, float64, dependency-free. Reference values for the tests come from SciPy 1.10
 * (test/fixtures/eval/make_stats_reference.py).
 */

type Vec = ArrayLike<number>

function requireFinite(where: string, xs: Vec): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!)) throw badInput(where, `value ${i} is ${String(xs[i])}; expected finite numbers`)
  }
}

function requireSameLength(where: string, x: Vec, y: Vec): void {
  if (x.length !== y.length) throw badInput(where, `x has ${x.length} values but y has ${y.length}`)
}

/** Arithmetic mean, accumulated in float64. Throws on an empty input. */
export function mean(xs: Vec): number {
  if (xs.length === 0) throw badInput('mean', 'no values')
  requireFinite('mean', xs)
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  return s / xs.length
}

/**
 * Standard deviation with `ddof` degrees of freedom removed (default 1, the sample SD):
 * sqrt( Σ (x_i − x̄)² / (n − ddof) ), two-pass for accuracy. Matches numpy.std(x, ddof=ddof).
 */
export function sd(xs: Vec, ddof = 1): number {
  if (xs.length - ddof <= 0) throw badInput('sd', `needs more than ${ddof} value(s), got ${xs.length}`)
  const m = mean(xs)
  let ss = 0
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - m
    ss += d * d
  }
  return Math.sqrt(ss / (xs.length - ddof))
}

/**
 * Quantile q ∈ [0, 1] by linear interpolation between order statistics: position h = (n − 1)·q,
 * result x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋)). Hyndman & Fan (1996) type 7, numpy's default.
 */
export function quantile(xs: Vec, q: number): number {
  if (xs.length === 0) throw badInput('quantile', 'no values')
  if (!(q >= 0 && q <= 1)) throw badInput('quantile', `q must lie in [0, 1], got ${q}`)
  requireFinite('quantile', xs)
  const s = Float64Array.from(xs as ArrayLike<number>).sort()
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, s.length - 1)
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!)
}

/**
 * Wilson score interval for a binomial proportion (Wilson 1927):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z/(1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²),
 * with p̂ = correct/n. z = 1.96 gives the usual 95% interval. Returned as [lower, upper], clamped to [0, 1].
 */
export function wilsonInterval(correct: number, n: number, z = 1.96): [number, number] {
  if (!Number.isInteger(n) || n <= 0) throw badInput('wilsonInterval', `n must be a positive integer, got ${n}`)
  if (!Number.isInteger(correct) || correct < 0 || correct > n) {
    throw badInput('wilsonInterval', `correct must be an integer in [0, ${n}], got ${correct}`)
  }
  if (!(z > 0) || !Number.isFinite(z)) throw badInput('wilsonInterval', `z must be positive, got ${z}`)
  const p = correct / n
  const z2 = z * z
  const denom = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denom
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  // The exact endpoints at p̂ = 0 or 1 are 0 and 1; rounding may leave them a few ulps outside.
  const lower = correct === 0 ? 0 : Math.max(0, centre - half)
  const upper = correct === n ? 1 : Math.min(1, centre + half)
  return [lower, upper]
}

// Lanczos approximation (g = 7, n = 9), relative error below 1e-15 for positive arguments.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** log Γ(x) for x > 0 (Lanczos, g = 7; reflection for x < 0.5). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  const xm = x - 1
  let a = LANCZOS[0]!
  const t = xm + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (xm + i)
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a)
}

/** log of the binomial pmf C(n, k) p^k (1 − p)^(n − k), exact at p ∈ {0, 1}. */
function logBinomPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity
  if (p === 1) return k === n ? 0 : -Infinity
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p)
}

/**
 * Exact two-sided binomial test of H0: success probability = p, given k successes in n trials.
 * p-value = Σ_i P(X = i) over all i with P(X = i) ≤ P(X = k)·(1 + 1e-7) (the "minimum likelihood"
 * definition used by R's binom.test and scipy.stats.binomtest; the relative tolerance absorbs rounding
 * in symmetric cases). Capped at 1.
 */
export function binomialTwoSidedP(k: number, n: number, p = 0.5): number {
  if (!Number.isInteger(n) || n < 0) throw badInput('binomialTwoSidedP', `n must be a non-negative integer, got ${n}`)
  if (!Number.isInteger(k) || k < 0 || k > n) throw badInput('binomialTwoSidedP', `k must be an integer in [0, ${n}], got ${k}`)
  if (!(p >= 0 && p <= 1)) throw badInput('binomialTwoSidedP', `p must lie in [0, 1], got ${p}`)
  if (n === 0 || k === n * p) return 1
  const logD = logBinomPmf(k, n, p) + Math.log1p(1e-7)
  let total = 0
  for (let i = 0; i <= n; i++) {
    const lp = logBinomPmf(i, n, p)
    if (lp <= logD) total += Math.exp(lp)
  }
  return Math.min(1, total)
}

/**
 * Exact McNemar test for paired binary outcomes: b = pairs where only the first is correct, c = pairs where
 * only the second is. Under H0 the discordant pairs split Binomial(b + c, ½); p = two-sided exact binomial
 * p-value of b (McNemar 1947; the "exact" variant of e.g. statsmodels' mcnemar(exact=True)). 1 when b + c = 0.
 */
export function mcnemarExact(b: number, c: number): number {
  if (!Number.isInteger(b) || b < 0 || !Number.isInteger(c) || c < 0) {
    throw badInput('mcnemarExact', `discordant counts must be non-negative integers, got b=${b}, c=${c}`)
  }
  return binomialTwoSidedP(b, b + c, 0.5)
}

/**
 * Ranks 1..n with ties given the average of the ranks they span (scipy.stats.rankdata(method='average')).
 */
export function rank(xs: Vec): Float64Array {
  requireFinite('rank', xs)
  const n = xs.length
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!)
  const out = new Float64Array(n)
  let i = 0
  while (i < n) {
    let j = i
    while (j + 1 < n && xs[idx[j + 1]!]! === xs[idx[i]!]!) j++
    const r = (i + j) / 2 + 1
    for (let t = i; t <= j; t++) out[idx[t]!] = r
    i = j + 1
  }
  return out
}

/** Means and centred sums of squares and cross-products: Σ(x−x̄)², Σ(x−x̄)(y−ȳ), Σ(y−ȳ)². */
function centredMoments(x: Vec, y: Vec): { mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]!
    my += y[i]!
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx
    const dy = y[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return { mx, my, sxx, sxy, syy }
}

/** Pearson's r without checks (internal); NaN when either input has zero variance. */
function pearsonR(x: Vec, y: Vec): number {
  const { sxx, sxy, syy } = centredMoments(x, y)
  const r = sxy / Math.sqrt(sxx * syy)
  return Math.max(-1, Math.min(1, r))
}

function checkPair(where: string, x: Vec, y: Vec, minN: number): void {
  requireSameLength(where, x, y)
  if (x.length < minN) throw badInput(where, `needs at least ${minN} pairs, got ${x.length}`)
  requireFinite(where, x)
  requireFinite(where, y)
  if (isConstant(x)) throw badInput(where, `x is constant (all ${x.length} values equal); the correlation is undefined`)
  if (isConstant(y)) throw badInput(where, `y is constant (all ${y.length} values equal); the correlation is undefined`)
}

/** True when every value equals the first (a correlation with such a vector is undefined). */
export function isConstant(xs: Vec): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return false
  return true
}

/** Two-sided p-value of a correlation r over n pairs from t = r·sqrt((n − 2)/(1 − r²)) with n − 2 df. */
function correlationTP(r: number, n: number): number {
  const df = n - 2
  if (Math.abs(r) >= 1) return 0
  const t = r * Math.sqrt(df / ((1 - r) * (1 + r)))
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df))
}

/**
 * Pearson correlation r = Σ(x − x̄)(y − ȳ) / sqrt(Σ(x − x̄)² Σ(y − ȳ)²) and its two-sided p-value from
 * Student's t with n − 2 df (scipy.stats.pearsonr's p for normal data). Needs n ≥ 3 and non-constant inputs.
 */
export function pearson(x: Vec, y: Vec): { r: number; p: number } {
  checkPair('pearson', x, y, 3)
  const r = pearsonR(x, y)
  return { r, p: correlationTP(r, x.length) }
}

/** Beyond this n the exact permutation p-value of Spearman's rho gives way to the t approximation. */
export const SPEARMAN_EXACT_MAX_N = 10

/**
 * Spearman's rank correlation rho = Pearson's r of the average ranks (ties handled as in
 * scipy.stats.spearmanr). Two-sided p-value:
 * - n > 10: t = rho·sqrt((n − 2)/(1 − rho²)) with n − 2 df (scipy.stats.spearmanr's default);
 * - 3 ≤ n ≤ 10: exact, by enumerating all n! pairings of y's ranks with x's ranks and counting those with
 *   |rho_perm| ≥ |rho_obs| (relative tolerance 1e-12), as scipy.stats.permutation_test(...,
 *   permutation_type='pairings', n_resamples=inf) does when there are no ties (with ties the null is not
 *   symmetric and scipy's 2·min(one-sided) can differ; this keeps the |rho| definition). At most 10! = 3,628,800
 *   pairings, each an O(n) sum of rank products.
 * Needs n ≥ 3 and non-constant inputs.
 */
export function spearman(x: Vec, y: Vec): { rho: number; p: number } {
  checkPair('spearman', x, y, 3)
  const rx = rank(x)
  const ry = rank(y)
  const rho = pearsonR(rx, ry)
  const n = x.length
  const p = n > SPEARMAN_EXACT_MAX_N ? correlationTP(rho, n) : spearmanExactP(rx, ry)
  return { rho, p }
}

/**
 * Exact permutation p for Spearman: with ranks fixed, rho is an increasing affine function of
 * S = Σ rx_i · ry_π(i), so comparing |S − E| against the observed |S − E| (E = n·mean(rx)·mean(ry)) is
 * the same as comparing |rho|. Heap's algorithm enumerates the permutations.
 */
function spearmanExactP(rx: Float64Array, ry: Float64Array): number {
  const n = rx.length
  const e = n * mean(rx) * mean(ry)
  let obs = 0
  for (let i = 0; i < n; i++) obs += rx[i]! * ry[i]!
  const obsDev = Math.abs(obs - e)
  const thresh = obsDev * (1 - 1e-12) - 1e-12
  const perm = Float64Array.from(ry)
  const c = new Int32Array(n)
  let hits = 0
  let total = 0
  const visit = (): void => {
    let s = 0
    for (let i = 0; i < n; i++) s += rx[i]! * perm[i]!
    total++
    if (Math.abs(s - e) >= thresh) hits++
  }
  visit()
  let i = 1
  while (i < n) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!
      const tmp = perm[j]!
      perm[j] = perm[i]!
      perm[i] = tmp
      visit()
      c[i]!++
      i = 1
    } else {
      c[i] = 0
      i++
    }
  }
  return hits / total
}

/**
 * Ordinary least squares y ≈ slope·x + intercept: slope = Sxy/Sxx, intercept = ȳ − slope·x̄, and
 * r2 = 1 − SS_res/SS_tot (= Pearson r² for a simple regression; scipy.stats.linregress's rvalue²).
 * r2 is 1 when y is constant (the fit is exact). Needs n ≥ 2 and non-constant x.
 */
export function linearFit(x: Vec, y: Vec): { slope: number; intercept: number; r2: number } {
  requireSameLength('linearFit', x, y)
  if (x.length < 2) throw badInput('linearFit', `needs at least 2 points, got ${x.length}`)
  requireFinite('linearFit', x)
  requireFinite('linearFit', y)
  if (isConstant(x)) throw badInput('linearFit', 'x is constant; the slope is undefined')
  const { mx, my, sxx, sxy, syy } = centredMoments(x, y)
  const slope = sxy / sxx
  const intercept = my - slope * mx
  const r2 = syy === 0 ? 1 : Math.max(0, Math.min(1, (sxy * sxy) / (sxx * syy)))
  return { slope, intercept, r2 }
}

/**
 * Regularised incomplete beta I_x(a, b) by the Lentz continued fraction (Numerical Recipes, 3rd ed.,
 * §6.4), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x)
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300
  const EPS = 1e-15
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < TINY) d = TINY
  d = 1 / d
  let h = d
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < EPS) break
  }
  return h
}

/**
 * Student's t cumulative distribution P(T ≤ t) with df > 0 degrees of freedom:
 * for t < 0, ½·I_{df/(df+t²)}(df/2, ½); for t ≥ 0, 1 − that (Abramowitz & Stegun 26.7.1 via 26.5.27).
 */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw badInput('studentTCdf', `df must be positive, got ${df}`)
  if (Number.isNaN(t)) throw badInput('studentTCdf', 't is NaN')
  if (t === Infinity) return 1
  if (t === -Infinity) return 0
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
  return t < 0 ? tail : 1 - tail
}
