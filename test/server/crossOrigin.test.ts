import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Backend } from '../../src-main/backend/appService'
import { createDispatcher } from '../../src-main/common/dispatch'
import { startServer, type RunningServer } from '../../src-main/server/httpServer'
import { chromiumPath, launch } from '../e2e/harness'
import { SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const chromium = chromiumPath()

async function attack(page: Page, target: string, token: string, bodies: string[]): Promise<Record<string, unknown>> {
  type Attacker = { attack(t: string, k: string, b: string[]): Promise<Record<string, unknown>> }
  return page.evaluate(([tg, tok, bs]) => (globalThis as unknown as Attacker).attack(tg as string, tok as string, bs as string[]), [target, token, bodies] as const)
}

/**
 * A page served from another port of 127.0.0.1 (cookies are shared across ports, so this is the
 * attacker the old cookie design let through) tries every way a browser offers to reach the API:
 * simple no-cors requests, CORS requests with credentials, an HTML form, a beacon and an event stream,
 * even when it somehow knows the token. None may reach dispatch.
 */
const ATTACK = String.raw`<!doctype html><meta charset="utf-8"><title>attacker</title>
<iframe name="sink"></iframe>
<form id="f" method="POST" enctype="text/plain" target="sink"><input name='{"method":"datasets.rename","args":{"id":"d","name":"owned"},"x":"' value='"}'></form>
<script>
window.attack = async (target, token, bodies) => {
  const out = {}
  for (const body of bodies) await attackWith(target, token, body, out)
  return out
}
const attackWith = async (target, token, body, out) => {
  const attempt = async (name, f) => {
    try { out[name] = await f() } catch (e) { out[name] = 'blocked: ' + e.name }
  }
  await attempt('noCorsText', async () => (await fetch(target + '/api/call', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body })).type)
  await attempt('noCorsForm', async () => (await fetch(target + '/api/call', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).type)
  await attempt('corsJson', async () => (await fetch(target + '/api/call', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body })).status)
  await attempt('corsJsonWithToken', async () => (await fetch(target + '/api/call', { method: 'POST', headers: { 'content-type': 'application/json', 'x-platonic-token': token }, body })).status)
  await attempt('noCorsWithTokenInQuery', async () => (await fetch(target + '/api/call?token=' + token, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body })).type)
  await attempt('beacon', async () => navigator.sendBeacon(target + '/api/call', new Blob([body], { type: 'text/plain' })))
  await attempt('events', () => new Promise((resolve) => {
    const es = new EventSource(target + '/api/events', { withCredentials: true })
    es.onopen = () => { es.close(); resolve('open') }
    es.onerror = () => { es.close(); resolve('error') }
  }))
  await attempt('readPage', async () => (await fetch(target + '/', { credentials: 'include' })).status)
  const form = document.getElementById('f')
  form.action = target + '/api/call'
  form.submit()
  await new Promise((r) => setTimeout(r, 500))
}
</script>`

describe.skipIf(!chromium)(`cross-origin requests from another 127.0.0.1 port${chromium ? '' : ' (skipped: no Chromium found; install Debian chromium or set PLATONIC_LAB_CHROMIUM)'}`, () => {
  const t = tmpDir()
  let server: RunningServer
  let attacker: http.Server
  let browser: Browser
  const dispatched: { method: unknown; args: unknown }[] = []

  beforeAll(async () => {
    fs.mkdirSync(path.join(t.dir, 'assets'))
    fs.writeFileSync(path.join(t.dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>app</title>')
    server = await startServer({
      staticDir: t.dir,
      dispatch: async (method, args) => {
        dispatched.push({ method, args })
        return { ok: true, result: 'done' }
      },
      subscribe: () => () => undefined,
    })
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(ATTACK)
    })
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r))
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
    attacker?.close()
    await server?.close()
    t.cleanup()
  })

  it('a page on another port cannot drive the API, even after the app was opened in the same browser', async () => {
    const context = await browser.newContext()
    const app = await context.newPage()
    // The user opens the printed URL: the app's own page can call the API with its header token.
    await app.goto(server.url)
    const own = await app.evaluate(async (token) => {
      const r = await fetch('/api/call', { method: 'POST', headers: { 'content-type': 'application/json', 'x-platonic-token': token }, body: JSON.stringify({ method: 'echo', args: 1 }) })
      return r.status
    }, server.token)
    expect(own).toBe(200)
    expect(dispatched).toHaveLength(1)
    expect(await context.cookies()).toEqual([])

    const evil = await context.newPage()
    await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`)
    const target = `http://127.0.0.1:${server.port}`
    const bodies = [JSON.stringify({ method: 'features.export', args: { id: 'f', dir: 'owned' } })]
    const out = await attack(evil, target, server.token, bodies)
    // Simple (no-cors) requests and the form do leave the browser, but the server turns them away
    // before dispatch (their answers are unreadable anyway); CORS requests fail their preflight, with
    // or without the token; the event stream does not open.
    expect(String(out.corsJson)).toMatch(/^blocked/)
    expect(String(out.corsJsonWithToken)).toMatch(/^blocked/)
    expect(out.events).toBe('error')
    expect(dispatched).toHaveLength(1)
    await context.close()
  })

  it('cannot register data or export features into the real workspace from another port', async () => {
    const ws = tmpDir()
    const backend = new Backend({ dataDir: ws.dir, mode: 'browser' })
    const real = await startServer({ dispatch: createDispatcher(backend.api), subscribe: (cb) => backend.subscribe(cb), staticDir: t.dir })
    const exportDir = path.join(ws.dir, 'exported')
    const context = await browser.newContext()
    try {
      const app = await context.newPage()
      await app.goto(real.url)
      const evil = await context.newPage()
      await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`)
      await attack(evil, `http://127.0.0.1:${real.port}`, real.token, [
        JSON.stringify({ method: 'datasets.add', args: { path: SHAPES, name: 'owned' } }),
        JSON.stringify({ method: 'features.export', args: { id: 'fs_any', dir: exportDir } }),
      ])
      expect(await backend.api['datasets.list']({})).toEqual([])
      expect(fs.existsSync(exportDir)).toBe(false)
      // The same call from the app's own page does go through: the attack was refused, not broken.
      const status = await app.evaluate(
        async ([token, p]) => (await fetch('/api/call', { method: 'POST', headers: { 'content-type': 'application/json', 'x-platonic-token': token as string }, body: JSON.stringify({ method: 'datasets.add', args: { path: p, name: 'mine' } }) })).status,
        [real.token, SHAPES] as const,
      )
      expect(status).toBe(200)
      expect((await backend.api['datasets.list']({})).map((d) => d.name)).toEqual(['mine'])
    } finally {
      await context.close()
      await real.close()
      backend.close()
      ws.cleanup()
    }
  })
})
