import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

describe('npm start without Electron', () => {
  it('says so in one line and serves the same UI on loopback, printing the URL', async () => {
    const t = tmpDir()
    // PLATONIC_LAB_NO_ELECTRON stands in for an offline machine where the binary cannot be fetched.
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), '--port', '0', '--data', t.dir], {
      cwd: REPO_ROOT,
      env: { ...process.env, PLATONIC_LAB_NO_ELECTRON: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /Platonic Lab at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)
          if (m) resolve(m[1]!)
        })
        child.on('exit', (code) => reject(new Error(`start exited ${code}: ${stderr}`)))
      })
      expect(stderr).toMatch(/^Electron is not available on this machine .*serving the same UI in your browser instead\.$/m)
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<title>Platonic Lab</title>')
    } finally {
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
      t.cleanup()
    }
  })
})
