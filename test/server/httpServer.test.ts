import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppEvent } from '../../src-main/common/contract/events'
import { MAX_EVENT_CLIENTS, startServer, type RunningServer, type ServerOptions } from '../../src-main/server/httpServer'
import { sendFile, staticFile } from '../../src-main/server/staticFiles'
import { tmpDir } from '../helpers/tmp'

interface RawReply {
  status: number
  body: string
  headers: http.IncomingHttpHeaders
}

interface RawOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Send these chunks without a Content-Length (chunked), stopping early if a reply arrives. */
  chunks?: Buffer[]
  /** Announce this Content-Length but send no body: a reply proves the server did not wait for it. */
  announce?: number
  host?: string
}

/** Raw HTTP so tests control every header (fetch forbids forging Host, Origin, Sec-Fetch-*). */
function raw(port: number, reqPath: string, opts: RawOptions = {}): Promise<RawReply> {
  const host = opts.host ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    let replied = false
    const headers: Record<string, string> = { host: `${host}:${port}`, ...opts.headers }
    if (opts.announce !== undefined) headers['content-length'] = String(opts.announce)
    const req = http.request({ host, port, path: reqPath, method: opts.method ?? 'GET', headers }, (res) => {
      replied = true
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      res.on('error', reject)
    })
    req.on('error', (e) => {
      if (!replied) reject(e)
    })
    if (opts.chunks) {
      void (async () => {
        for (const c of opts.chunks!) {
          if (replied || req.destroyed) return
          if (!req.write(c)) await new Promise((r) => req.once('drain', r))
        }
        req.end()
      })()
      return
    }
    if (opts.body) req.write(opts.body)
    if (opts.announce === undefined) req.end()
    else req.flushHeaders()
  })
}

/** Opens an event stream and resolves with its status once the headers arrive. */
function openEvents(port: number, reqPath: string): Promise<{ status: number; res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: reqPath }, (res) => resolve({ status: res.statusCode ?? 0, res, req }))
    req.on('error', reject)
  })
}

const JSON_TYPE = { 'content-type': 'application/json' }

describe('loopback HTTP server', () => {
  let server: RunningServer
  const t = tmpDir()
  const www = path.join(t.dir, 'www')
  const secretOutside = path.join(t.dir, 'secret.txt')
  const calls: unknown[] = []
  let emit: (e: AppEvent) => void = () => undefined
  const dispatch: ServerOptions['dispatch'] = async (m, a) => {
    calls.push(m)
    return m === 'echo.ok' ? { ok: true, result: a } : { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${String(m)}` } }
  }
  const auth = (): Record<string, string> => ({ 'x-platonic-token': server.token, ...JSON_TYPE })
  const echo = (headers: Record<string, string>, extra: RawOptions = {}) => raw(server.port, '/api/call', { method: 'POST', headers, body: JSON.stringify({ method: 'echo.ok', args: { x: 1 } }), ...extra })

  beforeAll(async () => {
    fs.mkdirSync(path.join(www, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>app</title>')
    fs.writeFileSync(path.join(www, 'assets', 'a.js'), 'console.log(1)')
    fs.writeFileSync(secretOutside, 'do not serve')
    fs.symlinkSync(secretOutside, path.join(www, 'assets', 'link.txt'))
    server = await startServer({ staticDir: www, dispatch, subscribe: (cb) => ((emit = cb), () => undefined), maxBodyBytes: 64 * 1024 })
  })
  afterAll(async () => {
    await server.close()
    t.cleanup()
  })

  it('prints a loopback URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{20,}$`))
  })

  it('serves the renderer’s public files without a token and never sets a cookie', async () => {
    for (const p of ['/', `/?token=${server.token}`, '/assets/a.js', '/alignment']) {
      const r = await raw(server.port, p)
      expect(r.status, p).toBe(200)
      expect(r.headers['set-cookie'], p).toBeUndefined()
      expect(r.headers['access-control-allow-origin'], p).toBeUndefined()
    }
    const page = await raw(server.port, '/')
    expect(page.body).toContain('<title>app</title>')
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.headers['referrer-policy']).toBe('no-referrer')
  })

  it('answers a call that carries the token header, JSON and no foreign origin', async () => {
    const n = calls.length
    const ok = await echo(auth())
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { x: 1 } })
    // What a browser sends from the app's own page.
    const fromPage = await echo({ ...auth(), 'content-type': 'application/json; charset=utf-8', origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'same-origin' })
    expect(fromPage.status).toBe(200)
    const viaLocalhost = await echo({ ...auth(), origin: `http://localhost:${server.port}` }, { host: 'localhost' })
    expect(viaLocalhost.status).toBe(200)
    expect(calls.length).toBe(n + 3)
  })

  it('refuses every ambient or misplaced credential with 401, before dispatching', async () => {
    const n = calls.length
    const cookie = { cookie: `pl_token=${encodeURIComponent(server.token)}` }
    expect((await echo({ ...JSON_TYPE })).status).toBe(401)
    expect((await echo({ ...JSON_TYPE, ...cookie })).status).toBe(401)
    expect((await echo({ ...JSON_TYPE, 'x-platonic-token': 'wrong' })).status).toBe(401)
    expect((await echo({ ...JSON_TYPE, 'x-platonic-token': `${server.token}x` })).status).toBe(401)
    expect((await raw(server.port, `/api/call?token=${server.token}`, { method: 'POST', headers: JSON_TYPE, body: '{"method":"echo.ok"}' })).status).toBe(401)
    expect((await echo({ ...JSON_TYPE, authorization: `Bearer ${server.token}` })).status).toBe(401)
    // A malformed cookie is not an error of the server.
    const bad = await echo({ ...JSON_TYPE, cookie: 'pl_token=%E0%A4%A; other=%' })
    expect(bad.status).toBe(401)
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(calls.length).toBe(n)
  })

  it('refuses cross-origin and cross-site requests with 403 even when they carry the token', async () => {
    const n = calls.length
    const foreign: Record<string, string>[] = [
      { origin: `http://127.0.0.1:${server.port + 1}` },
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: `https://127.0.0.1:${server.port}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'same-site' },
    ]
    for (const headers of foreign) {
      const r = await echo({ ...auth(), ...headers })
      expect(r.status, JSON.stringify(headers)).toBe(403)
    }
    expect(calls.length).toBe(n)
  })

  it('accepts only POST with Content-Type application/json on /api/call', async () => {
    const n = calls.length
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
      expect((await echo({ ...auth(), 'content-type': type })).status, type).toBe(415)
    }
    const { 'content-type': _, ...noType } = auth()
    expect((await echo(noType)).status).toBe(415)
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const r = await raw(server.port, '/api/call', { method, headers: { ...auth(), origin: 'http://evil.example', 'access-control-request-method': 'POST' } })
      expect(r.status, method).toBe(405)
      expect(r.headers['access-control-allow-origin']).toBeUndefined()
      expect(r.headers['access-control-allow-headers']).toBeUndefined()
    }
    expect(calls.length).toBe(n)
  })

  it('answers 400 for a method outside the contract or a body that is not JSON', async () => {
    const bad = await raw(server.port, '/api/call', { method: 'POST', headers: auth(), body: JSON.stringify({ method: 'fs.readFile', args: {} }) })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect((await raw(server.port, '/api/call', { method: 'POST', headers: auth(), body: '{' })).status).toBe(400)
    expect((await raw(server.port, '/api/other', { method: 'POST', headers: auth(), body: '{}' })).status).toBe(404)
  })

  it('answers 413 as soon as Content-Length is too large, and while reading a body without one', async () => {
    const n = calls.length
    // No body is ever sent: only an answer without reading it can end this request.
    const announced = await raw(server.port, '/api/call', { method: 'POST', headers: auth(), announce: 1024 * 1024 * 1024 })
    expect(announced.status).toBe(413)
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 0x20))
    const streamed = await raw(server.port, '/api/call', { method: 'POST', headers: { ...auth(), 'transfer-encoding': 'chunked' }, chunks })
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    expect(calls.length).toBe(n)
    // Just under the limit is fine, and the server is still there.
    const body = JSON.stringify({ method: 'echo.ok', args: { s: 'x'.repeat(60 * 1024) } })
    expect((await raw(server.port, '/api/call', { method: 'POST', headers: auth(), body })).status).toBe(200)
  })

  it('streams events to a client with the token in the query, GET only, no cookie', async () => {
    for (const method of ['POST', 'HEAD', 'PUT']) {
      expect((await raw(server.port, `/api/events?token=${server.token}`, { method, headers: auth() })).status, method).toBe(405)
    }
    expect((await raw(server.port, '/api/events', { headers: { cookie: `pl_token=${server.token}` } })).status).toBe(401)
    expect((await raw(server.port, `/api/events?token=${server.token}`, { headers: { origin: 'http://evil.example' } })).status).toBe(403)
    const s = await openEvents(server.port, `/api/events?token=${encodeURIComponent(server.token)}`)
    expect(s.status).toBe(200)
    expect(s.res.headers['content-type']).toBe('text/event-stream')
    const got = new Promise<string>((resolve) => {
      let buf = ''
      s.res.on('data', (c: Buffer) => {
        buf += c.toString()
        if (buf.includes('data: ')) resolve(buf)
      })
    })
    emit({ type: 'workspace.changed' } as AppEvent)
    expect(await got).toContain('"workspace.changed"')
    s.req.destroy()
  })

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await raw(server.port, '/', { headers: { host: `evil.example:${server.port}` } })
    expect(r.status).toBe(421)
    expect((await echo({ ...auth(), host: `127.0.0.1.evil.example:${server.port}` })).status).toBe(421)
  })

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/link.txt', '/..%5csecret.txt']) {
      const r = await raw(server.port, p)
      expect(r.body).not.toContain('do not serve')
    }
  })

  it('lives on when a file disappears or changes while it is being served', async () => {
    const big = path.join(www, 'assets', 'big.js')
    const content = Buffer.alloc(512 * 1024, 0x61)
    fs.writeFileSync(big, content)
    const replies: Promise<RawReply>[] = []
    for (let i = 0; i < 40; i++) {
      replies.push(raw(server.port, '/assets/big.js').catch((e: Error) => ({ status: -1, body: e.message, headers: {} })))
      if (i % 2) fs.rmSync(big, { force: true })
      else fs.writeFileSync(big, content)
      await new Promise((r) => setImmediate(r))
    }
    for (const r of await Promise.all(replies)) expect([200, 404, -1]).toContain(r.status)
    expect((await raw(server.port, '/assets/a.js')).status).toBe(200)
  })

  it('refuses to listen on a non-loopback address unless asked', async () => {
    await expect(startServer({ staticDir: t.dir, host: '0.0.0.0', dispatch: async () => ({ ok: true, result: null }), subscribe: () => () => undefined })).rejects.toThrow(/allow-remote/)
  })
})

describe('loopback HTTP server limits and hosts', () => {
  const t = tmpDir()
  fs.writeFileSync(path.join(t.dir, 'index.html'), '<!doctype html><title>app</title>')
  afterAll(() => t.cleanup())
  const dispatch: ServerOptions['dispatch'] = async (_m, a) => ({ ok: true, result: a })

  it('accepts the URL it prints when started on another 127.x.y.z address', async () => {
    const server = await startServer({ staticDir: t.dir, host: '127.0.0.2', dispatch, subscribe: () => () => undefined })
    try {
      expect(server.url.startsWith(`http://127.0.0.2:${server.port}/?token=`)).toBe(true)
      const page = await fetch(server.url)
      expect(page.status).toBe(200)
      const call = await fetch(new URL('/api/call', server.url), { method: 'POST', headers: { 'x-platonic-token': server.token, ...JSON_TYPE }, body: '{"method":"m","args":2}' })
      expect(call.status).toBe(200)
      expect(await call.json()).toEqual({ ok: true, result: 2 })
      const foreign = await raw(server.port, '/', { host: '127.0.0.2', headers: { host: `127.0.0.3:${server.port}` } })
      expect(foreign.status).toBe(421)
    } finally {
      await server.close()
    }
  })

  it(`caps the number of open event streams (${MAX_EVENT_CLIENTS} by default) and frees a slot when one closes`, async () => {
    const server = await startServer({ staticDir: t.dir, dispatch, subscribe: () => () => undefined })
    const q = `/api/events?token=${encodeURIComponent(server.token)}`
    try {
      const open = []
      for (let i = 0; i < MAX_EVENT_CLIENTS; i++) open.push(await openEvents(server.port, q))
      expect(open.every((s) => s.status === 200)).toBe(true)
      const refused = await raw(server.port, q)
      expect(refused.status).toBe(503)
      expect(JSON.parse(refused.body).error.message).toMatch(/too many event streams/)
      open.pop()!.req.destroy()
      let again = 0
      for (let i = 0; i < 100 && again !== 200; i++) {
        const s = await openEvents(server.port, q)
        again = s.status
        if (again === 200) s.req.destroy()
        else await new Promise((r) => setTimeout(r, 50))
      }
      expect(again).toBe(200)
      for (const s of open) s.req.destroy()
    } finally {
      await server.close()
    }
  })
})

describe('staticFile and sendFile', () => {
  it('maps client routes to index.html and rejects traversal', () => {
    const t = tmpDir()
    fs.writeFileSync(path.join(t.dir, 'index.html'), 'x')
    expect(staticFile(t.dir, '/alignment')?.path).toBe(fs.realpathSync(path.join(t.dir, 'index.html')))
    expect(staticFile(t.dir, '/../etc/passwd')).toBeNull()
    expect(staticFile(t.dir, '/a%00b')).toBeNull()
    expect(staticFile(t.dir, '/%E0%A4%A')).toBeNull()
    t.cleanup()
  })

  it('answers 404 for a file removed after it was looked up, or replaced by a folder', async () => {
    const t = tmpDir()
    const f = path.join(t.dir, 'gone.js')
    fs.writeFileSync(f, 'x')
    const found = staticFile(t.dir, '/gone.js')!
    expect(found).not.toBeNull()
    fs.rmSync(f)
    const server = http.createServer((req, res) => void sendFile(req, res, found))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    try {
      expect((await raw(port, '/')).status).toBe(404)
      fs.mkdirSync(f)
      expect((await raw(port, '/')).status).toBe(404)
      fs.rmdirSync(f)
      fs.writeFileSync(f, 'back')
      const back = await raw(port, '/')
      expect(back.status).toBe(200)
      expect(back.body).toBe('back')
    } finally {
      server.close()
      t.cleanup()
    }
  })
})
