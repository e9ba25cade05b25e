import fs from 'node:fs'
import path from 'node:path'
import { AppError, badInput } from '../../common/errors'

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']
const WELL_KNOWN = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
]

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK)
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

/**
 * The Chromium that prints reports: $PLATONIC_LAB_CHROMIUM if set (must exist), else the first
 * chromium/chrome on PATH, else a well-known install location. Returns null when none is found.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env.PLATONIC_LAB_CHROMIUM
  if (forced) {
    if (!isExecutable(forced)) throw badInput('PLATONIC_LAB_CHROMIUM', `${forced} is not an executable file`)
    return forced
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const name of CANDIDATES) {
    for (const d of dirs) {
      for (const ext of process.platform === 'win32' ? ['.exe', ''] : ['']) {
        const p = path.join(d, name + ext)
        if (isExecutable(p)) return p
      }
    }
  }
  return WELL_KNOWN.find(isExecutable) ?? null
}

/** findChromium, or a plain-language error saying how to get one. */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const p = findChromium(env)
  if (!p) {
    throw new AppError(
      'UNAVAILABLE',
      'PDF printing needs Chromium and none was found: install Debian\'s `chromium` package (apt-get install chromium) or set PLATONIC_LAB_CHROMIUM to a Chromium/Chrome executable; the report can still be saved as HTML without it',
    )
  }
  return p
}
