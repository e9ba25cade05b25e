/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, plain lines (at most one per 10%)
 * otherwise, so logs stay readable.
 */
export function progressLine(tty: boolean, write: (s: string) => void): (fraction: number, message: string) => void {
  let lastDecile = -1
  let lastDraw = 0
  return (fraction, message) => {
    const f = Math.min(1, Math.max(0, fraction))
    if (tty) {
      const now = Date.now()
      if (now - lastDraw < 80 && f < 1) return
      lastDraw = now
      const width = 24
      const filled = Math.round(f * width)
      write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${message}`.slice(0, 120).padEnd(100) + (f >= 1 ? '\n' : ''))
    } else {
      const decile = Math.floor(f * 10)
      if (decile === lastDecile && f < 1) return
      lastDecile = decile
      write(`${(f * 100).toFixed(0)}% ${message}\n`)
    }
  }
}
