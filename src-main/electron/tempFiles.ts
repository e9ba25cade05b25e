import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface PrivateTempFile {
  file: string
  dir: string
  remove(): void
}

/**
 * Writes content to a new file in a new private folder under the system temp folder: the folder has
 * an unpredictable name and mode 0700, the file is created exclusively (`wx`, mode 0600), so nothing
 * planted in advance (a file or a symlink at a guessed name) is followed or overwritten, and no other
 * user can read or swap it while it is in use.
 */
export function writePrivateTempFile(name: string, content: string | Uint8Array, prefix = 'platonic-lab-'): PrivateTempFile {
  if (!name || name !== path.basename(name) || name === '.' || name === '..') throw new Error(`not a plain file name: ${JSON.stringify(name)}`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  fs.chmodSync(dir, 0o700)
  const file = path.join(dir, name)
  try {
    fs.writeFileSync(file, content, { flag: 'wx', mode: 0o600 })
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw e
  }
  return { file, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}
