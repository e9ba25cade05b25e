import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { findChromium } from '../../src-main/core/report/findChromium'
import { tmpDir } from '../helpers/tmp'
import { runCli, runCliJson } from './cli'

// No network at run time: the demo (extraction, alignment sweep, maps, colour experiment, PDF report)
// runs with every outgoing-connection API of Node trapped (netTrap.mjs, preloaded through NODE_OPTIONS
// so forked job hosts are covered too). Native code (onnxruntime's telemetry) and Chromium are out of
// the trap's sight: for them `demo --report` and `report` run under `strace -f`, which records the
// connect/send system calls of every process the app starts, and a fresh HOME shows whether
// onnxruntime set up its telemetry store. The printer's launch flags are also checked as a unit.

const TRAP = path.join(path.dirname(new URL(import.meta.url).pathname), 'netTrap.mjs')
const t = tmpDir('pl-net-')
afterAll(() => t.cleanup())

function trapEnv(log: string): NodeJS.ProcessEnv {
  // The trap path may contain spaces; NODE_OPTIONS takes a quoted value.
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${JSON.stringify(pathToFileURL(TRAP).href)}`.trim(), PL_NET_TRAP_LOG: log }
}

function logLines(log: string): string[] {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
}

describe('the network trap itself (so the demo test cannot pass vacuously)', () => {
  it('records and blocks every kind of outgoing attempt, and lets loopback through', async () => {
    const log = path.join(t.dir, 'control.log')
    // 10.255.255.1 and example.invalid are never reached: the trap throws before a socket is created.
    const script = `
      import net from 'node:net'; import tls from 'node:tls'; import http from 'node:http'; import https from 'node:https'
      import dns from 'node:dns'; import dgram from 'node:dgram'; import { connect } from 'node:net'
      const tries = {
        netConnect: () => net.connect(80, '10.255.255.1'),
        namedConnect: () => connect({ host: '10.255.255.1', port: 81 }),
        socket: () => new net.Socket().connect(82, '10.255.255.1'),
        tls: () => tls.connect(443, '10.255.255.1'),
        http: () => http.get('http://10.255.255.1:8080/update-check'),
        https: () => https.request({ hostname: 'example.invalid', path: '/telemetry' }),
        dns: () => dns.lookup('example.invalid', () => {}),
        dnsPromise: () => dns.promises.resolve4('example.invalid'),
        udp: () => dgram.createSocket('udp4').send(Buffer.from('x'), 53, '10.255.255.1'),
        fetch: () => fetch('https://10.255.255.1/model.onnx'),
      }
      let thrown = 0
      for (const [name, fn] of Object.entries(tries)) { try { const p = fn(); if (p && p.catch) await p.catch(() => { thrown++ }) } catch { thrown++ } }
      // loopback must still work: a server on 127.0.0.1 and a client to it
      const srv = net.createServer((s) => s.end('ok')).listen(0, '127.0.0.1')
      await new Promise((r) => srv.once('listening', r))
      const got = await new Promise((r, j) => { let d = ''; net.connect(srv.address().port, '127.0.0.1').on('data', (x) => (d += x)).on('end', () => r(d)).on('error', j) })
      srv.close()
      console.log(JSON.stringify({ thrown, total: Object.keys(tries).length, loopback: got }))
    `
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...trapEnv(log) }, encoding: 'utf8', timeout: 30_000 })
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { thrown: number; total: number; loopback: string }
    expect(out.thrown).toBe(out.total)
    expect(out.loopback).toBe('ok')
    const lines = logLines(log)
    for (const api of ['net.connect', 'net.Socket.connect', 'tls.connect', 'http.get', 'https.request', 'dns.lookup', 'dns.resolve4', 'dgram.send', 'fetch']) {
      expect(lines.some((l) => l.includes(` ${api} `)), `${api} not recorded in\n${lines.join('\n')}`).toBe(true)
    }
    expect(lines.some((l) => l.includes('127.0.0.1'))).toBe(false)
    expect(logLines(`${log}.loaded`)).toHaveLength(1)
  })
})

describe('the demo with its PDF report makes no outgoing connection', () => {
  it('records nothing while extracting, aligning, mapping and printing the report', async (ctx) => {
    if (!findChromium()) {
      console.warn('skipped the demo --report network test: no Chromium on this machine')
      ctx.skip()
    }
    const log = path.join(t.dir, 'demo.log')
    const pdf = path.join(t.dir, 'demo.pdf')
    const { run, json } = await runCliJson<{ sweep: { pairs: number } }>(['demo', '--data', path.join(t.dir, 'ws'), '--report', pdf], { env: trapEnv(log), timeoutMs: 400_000 })
    expect(run.code, run.stderr).toBe(0)
    expect(json.sweep.pairs).toBeGreaterThan(0)
    expect(fs.statSync(pdf).size).toBeGreaterThan(1000)
    expect(logLines(log)).toEqual([])
    expect(logLines(`${log}.loaded`).length, 'the trap was not loaded in the CLI process').toBeGreaterThan(0)
  }, 450_000)
})

/** strace can trace here (installed, and ptrace allowed in this container). */
function straceWorks(): boolean {
  const r = spawnSync('strace', ['-f', '--seccomp-bpf', '-qq', '-e', 'trace=connect', '-o', '/dev/null', 'true'], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/
/**
 * Chromium's IPv6 reachability check (net/dns HostResolverManager) connects a UDP socket to Google's
 * public DNS address to learn which local address would be used, reads it and closes the socket; a UDP
 * connect sends no packet. Any send to that address is still caught.
 */
const IPV6_PROBE = /^\d+\s+connect\(\d+<UDPv6:\[\d+\]>, \{sa_family=AF_INET6, sin6_port=htons\(443\), .*inet_pton\(AF_INET6, "2001:4860:4860::8888"/

/**
 * Outgoing attempts in an strace log of connect/sendto/sendmsg/sendmmsg: an IPv4 or IPv6 address that
 * is not loopback, anything to port 53 (a DNS query, even to a local stub resolver), or systemd-resolved's
 * socket (a name lookup through NSS).
 */
function outgoingAttempts(log: string): string[] {
  const out: string[] = []
  for (const line of log.split('\n')) {
    if (!/\b(connect|sendto|sendmsg|sendmmsg)\(/.test(line) || IPV6_PROBE.test(line)) continue
    if (/io\.systemd\.Resolve|resolve\/io/.test(line)) {
      out.push(line)
      continue
    }
    const re = /sa_family=AF_INET6?, sin6?_port=htons\((\d+)\)[^}]*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/g
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const port = Number(m[1])
      const addr = m[2] ?? m[3] ?? ''
      if (port === 53 || !LOOPBACK.test(addr)) out.push(line)
    }
  }
  return out
}

describe('every process the app starts, onnxruntime and the PDF printer included, stays off the network', () => {
  it('the strace reader flags outside addresses and DNS, not loopback', () => {
    const sample = [
      '11 connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
      '12 connect(5, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH',
      '13 sendto(6, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 1',
      '14 connect(7, {sa_family=AF_INET, sin_port=htons(4173), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
      '15 connect(8, {sa_family=AF_UNIX, sun_path="/run/dbus/system_bus_socket"}, 110) = 0',
      '16 connect(9, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '17 connect(18<UDPv6:[248095]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '18 connect(19<TCPv6:[248096]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '19 sendto(18<UDPv6:[248095]>, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 1',
      // strace pads the pid column once pids differ in width, and splits a call another thread interrupts.
      '8479  connect(21<UDPv6:[499622]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>',
      '8480  connect(22<TCP:[499623]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.0.1")}, 16 <unfinished ...>',
    ].join('\n')
    expect(outgoingAttempts(sample).map((l) => l.split(' ')[0])).toEqual(['11', '12', '13', '18', '19', '8480'])
  })

  it('demo --report and report under strace -f: no outgoing connection or DNS query, no onnxruntime telemetry store', async (ctx) => {
    if (!findChromium() || !straceWorks()) {
      console.warn('skipped the strace network test: needs Chromium and a working strace (apt-get install strace)')
      ctx.skip()
    }
    const home = path.join(t.dir, 'home')
    fs.mkdirSync(home)
    const ws = path.join(t.dir, 'ws-strace')
    const traced = (name: string) => ['strace', '-f', '--seccomp-bpf', '-qq', '-yy', '-e', 'trace=connect,sendto,sendmsg,sendmmsg', '-o', path.join(t.dir, `${name}.strace`)]
    // HOME, XDG and the cache point into the test folder: whatever the processes set up there is visible.
    const env = { HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config'), ORT_DISABLE_TELEMETRY: '' }
    const demo = await runCli(['demo', '--data', ws, '--report', path.join(t.dir, 'traced-demo.pdf')], { env, prefix: traced('demo'), timeoutMs: 400_000 })
    expect(demo.code, demo.stderr).toBe(0)
    const report = await runCli(['report', '--data', ws, '--out', path.join(t.dir, 'traced-report.pdf')], { env, prefix: traced('report'), timeoutMs: 300_000 })
    expect(report.code, report.stderr).toBe(0)
    for (const name of ['demo', 'report']) {
      const log = fs.readFileSync(path.join(t.dir, `${name}.strace`), 'utf8')
      // The log covers the app's processes: Node (several) and Chromium's.
      expect(new Set(log.split('\n').map((l) => l.split(' ')[0]).filter(Boolean)).size, name).toBeGreaterThan(1)
      expect(outgoingAttempts(log), name).toEqual([])
    }
    // onnxruntime keeps its telemetry events and device id here unless telemetry is off.
    expect(fs.existsSync(path.join(home, '.cache', 'Microsoft'))).toBe(false)
  }, 900_000)
})

describe('Chromium (outside the trap) is started without background networking and with every page request aborted', () => {
  it('printPdf passes the no-network flags and routes every request to abort before loading the document', async () => {
    const calls: string[] = []
    let launchArgs: string[] = []
    vi.resetModules()
    vi.doMock('playwright-core', () => ({
      chromium: {
        launch: async (o: { args?: string[] }) => {
          launchArgs = o.args ?? []
          return {
            newPage: async () => ({
              route: async (pattern: string, handler: (route: { abort: () => void }) => void) => {
                let aborted = false
                handler({ abort: () => (aborted = true) })
                calls.push(`route ${pattern} ${aborted ? 'abort' : 'continue'}`)
              },
              setContent: async () => void calls.push('setContent'),
              emulateMedia: async () => undefined,
              pdf: async (o: { path: string }) => fs.writeFileSync(o.path, '%PDF-1.4 fake'),
            }),
            close: async () => void calls.push('close'),
          }
        },
      },
    }))
    try {
      const { printPdf } = await import('../../src-main/core/report/printPdf')
      await printPdf('<html></html>', path.join(t.dir, 'unit.pdf'), { paper: 'A4', executablePath: '/nonexistent/chromium' })
    } finally {
      vi.doUnmock('playwright-core')
      vi.resetModules()
    }
    for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-domain-reliability', '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'])
      expect(launchArgs).toContain(flag)
    expect(calls[0]).toBe('route **/* abort')
    expect(calls.indexOf('setContent')).toBeGreaterThan(0)
    expect(calls.at(-1)).toBe('close')
  })
})
