import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { DispatchResult } from '../common/dispatch'
import type { AppEvent } from '../common/contract/events'
import type { ErrorCode } from '../common/errors'
import { sendFile, staticFile } from './staticFiles'

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
  /** Largest `/api/call` body accepted (bytes); 8 MiB by default. */
  maxBodyBytes?: number
  /** Most `/api/events` streams open at once; 32 by default. */
  maxEventClients?: number
}

export interface RunningServer {
  url: string
  host: string
  port: number
  token: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
export const MAX_BODY_BYTES = 8 * 1024 * 1024
export const MAX_EVENT_CLIENTS = 32
const TOKEN_HEADER = 'x-platonic-token'
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

/** `host:port` as it appears in a URL and a Host header (IPv6 literals in brackets). */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Browser mode: the same AppApi over loopback HTTP plus server-sent events.
 *
 * No ambient credential (cookie, HTTP auth, client address) authorises anything, so a page from
 * another origin — another port on 127.0.0.1 included, since cookies are not separated by port —
 * cannot drive the API. `POST /api/call` needs the per-run token in the `x-platonic-token` header,
 * `Content-Type: application/json` (both force a CORS preflight, which is never granted) and, when the
 * client is a browser, a same-origin `Origin` and `Sec-Fetch-Site`. Clients that send no `Origin`
 * (curl, scripts) are accepted because they must still present the header token, which only the page
 * opened from the printed URL knows. `GET /api/events` takes the token in the query, because
 * EventSource cannot send headers; the URL is built by the page itself and never shown, logged or
 * sent as a referrer. The static files of the renderer are public build output and need no token;
 * the page reads the token from its address once, keeps it in sessionStorage and removes it from the
 * address bar. The Host header must name the address served (DNS rebinding), and no CORS header is
 * ever sent.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1'
  if (!opts.allowRemote && !isLoopbackHost(host)) {
    throw new Error(`refusing to listen on ${host}: only loopback addresses unless --allow-remote is given`)
  }
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url')
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES
  const maxClients = opts.maxEventClients ?? MAX_EVENT_CLIENTS
  const staticRoot = path.resolve(opts.staticDir)
  const clients = new Set<http.ServerResponse>()
  const unsubscribe = opts.subscribe((e) => {
    const line = `data: ${JSON.stringify(e)}\n\n`
    for (const c of clients) c.write(line)
  })

  let port = 0
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) fail(res, 500, 'INTERNAL', e instanceof Error ? e.message : String(e))
      else res.destroy()
    })
  })

  function allowedHosts(): Set<string> {
    const hosts = new Set<string>()
    for (const h of ['127.0.0.1', 'localhost', '::1', host]) hosts.add(hostPort(h, port))
    return hosts
  }

  function authorised(given: string | null | undefined): boolean {
    if (typeof given !== 'string' || !given) return false
    const a = Buffer.from(given)
    const b = Buffer.from(token)
    return a.length === b.length && crypto.timingSafeEqual(a, b)
  }

  /** A browser request must come from a page of this server; non-browser clients send neither header. */
  function sameOrigin(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return false
    const site = req.headers['sec-fetch-site']
    return site === undefined || site === 'same-origin'
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    securityHeaders(res)
    if (!opts.allowRemote && !allowedHosts().has(req.headers.host ?? '')) {
      return fail(res, 421, 'UNAUTHORIZED', 'unexpected Host header')
    }
    const url = new URL(req.url ?? '/', 'http://server.invalid')

    if (url.pathname === '/api/call') {
      if (req.method !== 'POST') return fail(res, 405, 'BAD_INPUT', 'POST only', { allow: 'POST' })
      if (!sameOrigin(req)) return fail(res, 403, 'UNAUTHORIZED', 'cross-origin request refused')
      if (!authorised(header(req, TOKEN_HEADER))) return fail(res, 401, 'UNAUTHORIZED', `missing or wrong token (send it in the ${TOKEN_HEADER} header)`)
      if (mediaType(req.headers['content-type']) !== 'application/json') return fail(res, 415, 'BAD_INPUT', 'Content-Type must be application/json')
      const body = await readBody(req, res, maxBody)
      if (body === null) return
      let parsed: { method?: unknown; args?: unknown }
      try {
        parsed = JSON.parse(body) as { method?: unknown; args?: unknown }
      } catch {
        return fail(res, 400, 'BAD_INPUT', 'request body is not JSON')
      }
      const r = await opts.dispatch(parsed?.method, parsed?.args)
      return send(res, r.ok ? 200 : STATUS[r.error.code], r)
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return fail(res, 405, 'BAD_INPUT', 'GET only', { allow: 'GET' })
      if (!sameOrigin(req)) return fail(res, 403, 'UNAUTHORIZED', 'cross-origin request refused')
      if (!authorised(url.searchParams.get('token') ?? header(req, TOKEN_HEADER))) return fail(res, 401, 'UNAUTHORIZED', 'missing or wrong token')
      if (clients.size >= maxClients) return fail(res, 503, 'UNAVAILABLE', `too many event streams open (${maxClients}); close other tabs of this app`)
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(': connected\n\n')
      clients.add(res)
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
      res.on('close', () => {
        clearInterval(ping)
        clients.delete(res)
      })
      return
    }
    if (url.pathname.startsWith('/api/')) return fail(res, 404, 'NOT_FOUND', `no endpoint ${url.pathname}`)
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'BAD_INPUT', 'GET only', { allow: 'GET, HEAD' })
    const file = staticFile(staticRoot, url.pathname)
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('not found')
      return
    }
    await sendFile(req, res, file)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://${hostPort(host, port)}/?token=${encodeURIComponent(token)}`,
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

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' ? v : undefined
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
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

function send(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra })
  res.end(text)
}

function fail(res: http.ServerResponse, status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}): void {
  send(res, status, { ok: false, error: { code, message } }, extra)
}

/**
 * The request body as text, or null after answering 413: at once when Content-Length announces too
 * much, or as soon as a body without a length passes the limit. Either way the connection is closed,
 * so the rest of the upload is never read.
 */
async function readBody(req: http.IncomingMessage, res: http.ServerResponse, max: number): Promise<string | null> {
  const tooLarge = (): null => {
    fail(res, 413, 'BAD_INPUT', `request body too large (more than ${max} bytes)`, { connection: 'close' })
    res.once('finish', () => req.destroy())
    return null
  }
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) return tooLarge()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (c: Buffer): void => {
      size += c.length
      if (size <= max) return void chunks.push(c)
      req.off('data', onData)
      req.pause()
      resolve(tooLarge())
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(null))
  })
}
