/**
 * Seeded pseudo-random numbers for permutation nulls and bootstrap resamples, so that a stored seed
 * reproduces a stored result exactly.
 * Generator: mulberry32 (Tommy Ettinger, public domain), 32-bit state, period 2^32 — plenty for
 * shuffling and resampling item indices.
 */
export type Rng = () => number

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Derives an independent stream for one purpose from the user's seed (e.g. 'bootstrap', 'permutation'). */
export function subSeed(seed: number, purpose: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n)
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(rng: Rng, n: number): Int32Array {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(rng, i + 1)
    const t = p[i]!
    p[i] = p[j]!
    p[j] = t
  }
  return p
}

/** n indices drawn uniformly with replacement from 0..n-1 (one bootstrap resample). */
export function resample(rng: Rng, n: number): Int32Array {
  const r = new Int32Array(n)
  for (let i = 0; i < n; i++) r[i] = randInt(rng, n)
  return r
}

/** Fisher–Yates shuffle of `a` in place with the given generator. */
export function shuffleInPlace(a: Int32Array, random: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = a[i]!
    a[i] = a[j]!
    a[j] = t
  }
}
