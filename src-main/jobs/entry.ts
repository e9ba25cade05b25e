import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the job host's entry file is and how to start it. From the electron-vite build the host is a
 * sibling bundle (`jobhost.js`); from source (CLI via tsx, tests) it is `host.ts`, run through tsx.
 */
export function jobHostCommand(): { entry: string; execArgv: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const bundled = path.join(here, 'jobhost.js')
  if (fs.existsSync(bundled)) return { entry: bundled, execArgv: [] }
  const source = path.join(here, 'host.ts')
  if (fs.existsSync(source)) return { entry: source, execArgv: ['--import', 'tsx'] }
  // Called from another source folder (the backend lives next to jobs/).
  const sibling = path.join(here, '..', 'jobs', 'host.ts')
  return { entry: sibling, execArgv: ['--import', 'tsx'] }
}
