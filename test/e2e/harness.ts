import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core'
import { REPO_ROOT } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

export const SHOTS = path.join(REPO_ROOT, 'test-output', 'e2e')

export function chromiumPath(): string | null {
  if (process.env.PLATONIC_LAB_CHROMIUM) return process.env.PLATONIC_LAB_CHROMIUM
  const r = spawnSync('which', ['chromium'], { encoding: 'utf8' })
  const p = r.stdout.trim()
  return r.status === 0 && p ? p : null
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

export interface ServedApp {
  url: string
  dataDir: string
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts `platonic-lab serve --port 0` on a fresh workspace and returns the URL it prints. */
export async function serveApp(extraArgs: string[] = []): Promise<ServedApp> {
  const t = tmpDir('pl-e2e-')
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'platonic-lab.mjs'), 'serve', '--port', '0', '--data', t.dir, ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in time; stderr: ${stderr}`)), 120_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Platonic Lab at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  return {
    url,
    dataDir: t.dir,
    child,
    stop: async () => {
      child.kill('SIGINT')
      await new Promise((r) => {
        child.once('exit', r)
        setTimeout(r, 5000)
      })
      t.cleanup()
    },
  }
}

export async function launch(): Promise<Browser> {
  const exe = chromiumPath()
  if (!exe) throw new Error('Chromium not found: install Debian package chromium (CI does) or set PLATONIC_LAB_CHROMIUM')
  return chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS, headless: true })
}

/** Collects console errors and page errors; tests assert the list is empty. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true })
  const file = path.join(SHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/**
 * Playwright's own waits (locator.waitFor, click, fill) default to 30 s. A page on a loaded 2-core
 * machine, with a job host busy beside it, can take longer, so the pages opened here wait longer;
 * expect.poll's default is raised in vitest.config.ts for the same reason.
 */
export const PAGE_TIMEOUT_MS = 120_000

/** A served app on a fresh workspace and one Chromium page (1360 × 900) whose console errors are collected. */
export async function openApp(pageOptions: BrowserContextOptions = {}): Promise<{ app: ServedApp; browser: Browser; page: Page; errors: string[] }> {
  const app = await serveApp()
  const browser = await launch()
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, ...pageOptions })
  page.setDefaultTimeout(PAGE_TIMEOUT_MS)
  return { app, browser, page, errors: watchConsole(page) }
}

/** Closes what openApp opened (tolerates a failed start). */
export async function closeApp(app: ServedApp | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close()
  await app?.stop()
}
