/**
 * Turns raw progress calls into throttled updates with an ETA. The ETA is a linear extrapolation of
 * elapsed time over the completed fraction — crude but honest, and null until there is something to
 * extrapolate from.
 */
export function progressThrottle(
  emit: (fraction: number, message: string, etaSeconds: number | null) => void,
  opts: { minIntervalMs?: number; now?: () => number } = {},
): (fraction: number, message: string) => void {
  const now = opts.now ?? (() => Date.now())
  const minInterval = opts.minIntervalMs ?? 150
  const t0 = now()
  let last = -Infinity
  let lastFraction = -1
  return (fraction, message) => {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
    const t = now()
    if (t - last < minInterval && f < 1 && f - lastFraction < 0.05) return
    last = t
    lastFraction = f
    const elapsed = (t - t0) / 1000
    const eta = f > 0.01 && f < 1 ? (elapsed * (1 - f)) / f : f >= 1 ? 0 : null
    emit(f, message, eta === null ? null : Math.round(eta * 10) / 10)
  }
}
