import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../src-main/server/httpServer'
import { staticFile } from '../../src-main/server/staticFiles'
import { tmpDir } from '../helpers/tmp'

/** Raw HTTP so tests control the Host header (fetch does not let us forge it). */
function raw(port: number, reqPath: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: reqPath, method: opts.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    if (opts.body) req.write(opts.body)
    req.end()
  })
}

describe('loopback HTTP server', () => {
  let server: RunningServer
  const t = tmpDir()
  const secretOutside = path.join(t.dir, 'secret.txt')
  beforeAll(async () => {
    const www = path.join(t.dir, 'www')
    fs.mkdirSync(path.join(www, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>app</title>')
    fs.writeFileSync(path.join(www, 'assets', 'a.js'), 'console.log(1)')
    fs.writeFileSync(secretOutside, 'do not serve')
    fs.symlinkSync(secretOutside, path.join(www, 'assets', 'link.txt'))
    server = await startServer({
      staticDir: www,
      dispatch: async (m, a) => (m === 'echo.ok' ? { ok: true, result: a } : { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${String(m)}` } }),
      subscribe: () => () => undefined,
    })
  })
  afterAll(async () => {
    await server.close()
    t.cleanup()
  })

  it('prints a loopback URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{20,}$`))
  })

  it('answers 401 to any request without the right token', async () => {
    expect((await raw(server.port, '/')).status).toBe(401)
    expect((await raw(server.port, '/assets/a.js')).status).toBe(401)
    expect((await raw(server.port, '/api/call', { method: 'POST', body: '{"method":"echo.ok"}' })).status).toBe(401)
    expect((await raw(server.port, '/api/call', { method: 'POST', body: '{}', headers: { 'x-platonic-token': 'wrong' } })).status).toBe(401)
    expect((await raw(server.port, '/api/events')).status).toBe(401)
  })

  it('serves the page with the token and sets an HttpOnly cookie for the assets', async () => {
    const r = await raw(server.port, `/?token=${server.token}`)
    expect(r.status).toBe(200)
    expect(r.body).toContain('<title>app</title>')
    expect(String(r.headers['set-cookie'])).toMatch(/pl_token=.*HttpOnly; SameSite=Strict/)
    expect(r.headers['content-security-policy']).toContain("default-src 'self'")
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
    const asset = await raw(server.port, '/assets/a.js', { headers: { cookie: `pl_token=${encodeURIComponent(server.token)}` } })
    expect(asset.status).toBe(200)
  })

  it('answers 400 for a method outside the contract and 200 for a call', async () => {
    const h = { 'x-platonic-token': server.token, 'content-type': 'application/json' }
    const bad = await raw(server.port, '/api/call', { method: 'POST', headers: h, body: JSON.stringify({ method: 'fs.readFile', args: {} }) })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    const ok = await raw(server.port, '/api/call', { method: 'POST', headers: h, body: JSON.stringify({ method: 'echo.ok', args: { x: 1 } }) })
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { x: 1 } })
    const notJson = await raw(server.port, '/api/call', { method: 'POST', headers: h, body: '{' })
    expect(notJson.status).toBe(400)
  })

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await raw(server.port, `/?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } })
    expect(r.status).toBe(421)
  })

  it('never serves files outside the renderer folder', async () => {
    const h = { 'x-platonic-token': server.token }
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/link.txt', '/..%5csecret.txt']) {
      const r = await raw(server.port, p, { headers: h })
      expect(r.body).not.toContain('do not serve')
    }
  })

  it('refuses to listen on a non-loopback address unless asked', async () => {
    await expect(startServer({ staticDir: t.dir, host: '0.0.0.0', dispatch: async () => ({ ok: true, result: null }), subscribe: () => () => undefined })).rejects.toThrow(/allow-remote/)
  })
})

describe('staticFile', () => {
  it('maps client routes to index.html and rejects traversal', () => {
    const t = tmpDir()
    fs.writeFileSync(path.join(t.dir, 'index.html'), 'x')
    expect(staticFile(t.dir, '/alignment')?.path).toBe(fs.realpathSync(path.join(t.dir, 'index.html')))
    expect(staticFile(t.dir, '/../etc/passwd')).toBeNull()
    expect(staticFile(t.dir, '/a%00b')).toBeNull()
    expect(staticFile(t.dir, '/%E0%A4%A')).toBeNull()
    t.cleanup()
  })
})
