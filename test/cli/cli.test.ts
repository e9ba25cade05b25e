import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const BIN = path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs')

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

function hasPdfTools(): boolean {
  return spawnSync('which', ['pdftotext']).status === 0 && spawnSync('which', ['chromium']).status === 0
}

describe('platonic-lab CLI conventions', () => {
  it('prints help with every command and exits 0', () => {
    const r = cli(['--help'])
    expect(r.code).toBe(0)
    for (const c of ['serve', 'demo', 'align', 'layers', 'extract', 'mle', 'mix', 'report', 'cache', 'gpu']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'))
  })

  it('answers an unknown command or option with exit 2 and one error line', () => {
    const a = cli(['frobnicate'])
    expect(a.code).toBe(2)
    expect(a.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: unknown command "frobnicate"/)])
    const b = cli(['mix', 'x.csv', '--colour', 'red'])
    expect(b.code).toBe(2)
    expect(b.stderr.trim()).toMatch(/^error: --colour: unknown option for "mix"/)
    const c = cli(['align', 'only-one.npy'])
    expect(c.code).toBe(2)
    expect(c.stderr.trim().split('\n')).toHaveLength(1)
    expect(c.stderr).not.toMatch(/\n\s+at /)
  })

  it('serve prints the loopback URL with a token and refuses API calls without it in the header', async () => {
    const t = tmpDir()
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', t.dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          const m = /^Platonic Lab at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n/m.exec(out)
          if (m) resolve(m[1]!)
        })
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)))
      })
      const token = new URL(url).searchParams.get('token')!
      const call = (headers: Record<string, string>) => fetch(new URL('/api/call', url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"method":"app.info","args":{}}' })
      expect((await call({})).status).toBe(401)
      expect((await call({ cookie: `pl_token=${token}` })).status).toBe(401)
      expect((await call({ 'x-platonic-token': token })).status).toBe(200)
      // The page itself is public build output; the token in its URL is for the page's script.
      expect((await fetch(url)).status).toBe(200)
    } finally {
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
      t.cleanup()
    }
  })

  it('refuses a non-loopback host without --allow-remote', () => {
    const t = tmpDir()
    const r = cli(['serve', '--host', '0.0.0.0', '--data', t.dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: --host: 0\.0\.0\.0 is not a loopback address/)
    t.cleanup()
  })

  it.skipIf(!hasPdfTools())('demo --report writes a multi-page PDF with the alignment numbers, paper tables and SHA-256 provenance (vector charts)', () => {
    const t = tmpDir()
    const pdf = path.join(t.dir, 'demo.pdf')
    const r = cli(['demo', '--report', pdf, '--json', '--data', path.join(t.dir, 'ws')])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { workspace: string; sweep: { pairs: number; computed: number }; report: { pdf: string; sections: string[] } }
    expect(out.workspace).toBe(path.join(t.dir, 'ws'))
    expect(out.sweep.pairs).toBe(12)
    expect(out.report.sections).toEqual(expect.arrayContaining(['alignment', 'maps', 'mle', 'vqa', 'mixtures', 'colour', 'provenance']))
    const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout)![1])
    expect(pages).toBeGreaterThanOrEqual(6)
    const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout
    // Alignment numbers from this run: identical models align perfectly; chance k/(N−1) = 10/255.
    expect(text).toMatch(/1\.000/)
    expect(text).toContain('0.039')
    // The papers' tables: MLE-Bench frontier (gpt-5 73.63 on 0–30) and the mixture grid's best cell.
    expect(text).toMatch(/73\.6/)
    expect(text).toMatch(/32\.7/)
    // Provenance with full SHA-256 hashes of the model files.
    expect(text).toMatch(/Provenance/)
    expect(text).toMatch(/\b[0-9a-f]{64}\b/)
    // Charts are vector: their axis labels are text in the PDF and no raster images are embedded.
    expect(text).toContain('reasoning_pct')
    const images = spawnSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).stdout.trim().split('\n').slice(2)
    expect(images).toEqual([])
    t.cleanup()
  })
})
