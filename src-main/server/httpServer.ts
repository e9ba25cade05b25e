import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { DispatchResult } from '../common/dispatch'
import type { AppEvent } from '../common/dto'
import type { ErrorCode } from '../common/errors'
import { staticFile } from './staticFiles'

export interface ServerOptions {
  dispatch(method: unknown, args: unknown): Promise<DispatchResult>
  subscribe(cb: (e: AppEvent) => void): () => void
  /** Folder with the built renderer (index.html, assets/). */
  staticDir: string
  host?: string
  port?: number
  /** Per-run secret; random when omitted. */
  token?: string
  allowRemote?: boolean
}

export interface RunningServer {
  url: string
  host: string
  port: number
  token: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
const MAX_BODY = 8 * 1024 * 1024
const STATUS: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  UNKNOWN_METHOD: 400,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  CONFLICT: 409,
  CANCELLED: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * Browser mode: the same AppApi over loopback HTTP plus server-sent events. Every request must carry
 * the per-run token (query `token`, header `x-platonic-token`, or the HttpOnly cookie set when the page
 * was opened with the token). The Host header must name the address served, which defeats DNS
 * rebinding; no CORS headers are ever sent, so other origins cannot read responses.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1'
  if (!opts.allowRemote && !isLoopbackHost(host)) {
    throw new Error(`refusing to listen on ${host}: only loopback addresses unless --allow-remote is given`)
  }
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url')
  const staticRoot = path.resolve(opts.staticDir)
  const clients = new Set<http.ServerResponse>()
  const unsubscribe = opts.subscribe((e) => {
    const line = `data: ${JSON.stringify(e)}\n\n`
    for (const c of clients) c.write(line)
  })

  let port = 0
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } })
      else res.end()
    })
  })

  function allowedHosts(): Set<string> {
    const hosts = new Set<string>()
    for (const h of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${h}:${port}`)
    if (opts.allowRemote) hosts.add(`${host.includes(':') ? `[${host}]` : host}:${port}`)
    return hosts
  }

  function tokenOf(req: http.IncomingMessage, url: URL): string | null {
    const q = url.searchParams.get('token')
    if (q) return q
    const h = req.headers['x-platonic-token']
    if (typeof h === 'string') return h
    const cookie = req.headers.cookie ?? ''
    const m = /(?:^|;\s*)pl_token=([^;]+)/.exec(cookie)
    return m ? decodeURIComponent(m[1]!) : null
  }

  function authorised(given: string | null): boolean {
    if (!given) return false
    const a = Buffer.from(given)
    const b = Buffer.from(token)
    return a.length === b.length && crypto.timingSafeEqual(a, b)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    securityHeaders(res)
    if (!opts.allowRemote && !allowedHosts().has(req.headers.host ?? '')) {
      return send(res, 421, { ok: false, error: { code: 'UNAUTHORIZED', message: 'unexpected Host header' } })
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`)
    const given = tokenOf(req, url)
    if (!authorised(given)) return send(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } })

    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'POST only' } })
      const body = await readBody(req)
      if (body === null) return send(res, 413, { ok: false, error: { code: 'BAD_INPUT', message: 'request body too large' } })
      let parsed: { method?: unknown; args?: unknown }
      try {
        parsed = JSON.parse(body) as { method?: unknown; args?: unknown }
      } catch {
        return send(res, 400, { ok: false, error: { code: 'BAD_INPUT', message: 'request body is not JSON' } })
      }
      const r = await opts.dispatch(parsed?.method, parsed?.args)
      return send(res, r.ok ? 200 : STATUS[r.error.code], r)
    }
    if (url.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(': connected\n\n')
      clients.add(res)
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
      req.on('close', () => {
        clearInterval(ping)
        clients.delete(res)
      })
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'GET only' } })
    // The page is opened with ?token=…; keep it in a cookie so asset requests carry it too.
    if (url.searchParams.get('token')) res.setHeader('set-cookie', `pl_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`)
    const file = staticFile(staticRoot, url.pathname)
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' })
    if (req.method === 'HEAD') return void res.end()
    fs.createReadStream(file.path).pipe(res)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe()
        for (const c of clients) c.end()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff')
  res.setHeader('referrer-policy', 'no-referrer')
  res.setHeader('x-frame-options', 'DENY')
  res.setHeader('cross-origin-opener-policy', 'same-origin')
  res.setHeader('cross-origin-resource-policy', 'same-origin')
  res.setHeader(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  )
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(text)
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooBig = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) tooBig = true
      else chunks.push(c)
    })
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
