// Loaded with `node --import <this file>` (through NODE_OPTIONS, so forked job hosts get it too).
// Every way Node code can reach another machine — TCP/TLS sockets, UDP, DNS, http(s), fetch — is
// wrapped: a destination that is not loopback (or a local socket path) is appended to the file named by
// $PL_NET_TRAP_LOG and the call throws before any packet is sent. Loopback stays allowed because the
// app's own server and the Chromium driver use it.
import dgram from 'node:dgram'
import dns from 'node:dns'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import tls from 'node:tls'

const LOG = process.env.PL_NET_TRAP_LOG
// Proof that the trap was loaded in each process (the test checks this file, not just an empty log).
if (LOG) fs.appendFileSync(`${LOG}.loaded`, `${process.pid}\n`)

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true // Node's default host is localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h)
}

function blocked(api, target) {
  const line = `${process.pid} ${api} ${target}\n`
  if (LOG) fs.appendFileSync(LOG, line)
  const e = new Error(`network access blocked by the test trap: ${api} ${target}`)
  e.code = 'ENETUNREACH'
  throw e
}

/** Host of net/tls connect arguments: (options), (port, host), (path) or ([options, cb]) from Node internals. */
function socketTarget(args) {
  let a = args
  if (Array.isArray(a[0])) a = a[0] // Socket.prototype.connect(normalizedArgs) used internally
  const first = a[0]
  if (first && typeof first === 'object') {
    if (first.path) return null // Unix socket / named pipe: local
    return { host: first.host ?? first.hostname, port: first.port }
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null // a path
  return { host: typeof a[1] === 'string' ? a[1] : undefined, port: first }
}

function guardSocket(api, args) {
  const t = socketTarget(args)
  if (t && !isLoopback(t.host)) blocked(api, `${t.host}:${t.port}`)
}

const origSocketConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  guardSocket('net.Socket.connect', args)
  return origSocketConnect.apply(this, args)
}
for (const [mod, name, names] of [
  [net, 'net', ['connect', 'createConnection']],
  [tls, 'tls', ['connect']],
]) {
  for (const fn of names) {
    const orig = mod[fn]
    mod[fn] = function (...args) {
      guardSocket(`${name}.${fn}`, args)
      return orig.apply(this, args)
    }
  }
}

for (const fn of ['send', 'connect']) {
  const orig = dgram.Socket.prototype[fn]
  dgram.Socket.prototype[fn] = function (...args) {
    // send(msg, [offset, length,] port, address, cb) / connect(port, address, cb)
    const address = args.find((x, i) => i > 0 && typeof x === 'string')
    if (!isLoopback(address)) blocked(`dgram.${fn}`, String(address))
    return orig.apply(this, args)
  }
}

const DNS_FNS = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'resolvePtr', 'resolveNaptr', 'resolveSoa', 'reverse']
for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
  for (const fn of DNS_FNS) {
    const orig = target[fn]
    if (typeof orig !== 'function') continue
    target[fn] = function (host, ...rest) {
      if (!isLoopback(host)) blocked(`dns.${fn}`, String(host))
      return orig.call(this, host, ...rest)
    }
  }
}

function requestHost(args) {
  const first = args[0]
  if (typeof first === 'string' || first instanceof URL) {
    const u = new URL(String(first))
    return u.hostname
  }
  if (first && typeof first === 'object') return first.hostname ?? first.host
  return undefined
}
for (const [mod, name] of [
  [http, 'http'],
  [https, 'https'],
]) {
  for (const fn of ['request', 'get']) {
    const orig = mod[fn]
    mod[fn] = function (...args) {
      const host = requestHost(args)
      if (!isLoopback(host)) blocked(`${name}.${fn}`, String(host))
      return orig.apply(this, args)
    }
  }
}

if (typeof globalThis.fetch === 'function') {
  const origFetch = globalThis.fetch
  globalThis.fetch = function (input, init) {
    const url = typeof input === 'string' || input instanceof URL ? new URL(String(input)) : new URL(input.url)
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.protocol !== 'file:' && !isLoopback(url.hostname)) blocked('fetch', url.href)
    return origFetch.call(this, input, init)
  }
}

// Named ESM imports of builtins (`import { connect } from 'node:net'`) see the patched functions too.
syncBuiltinESMExports()
