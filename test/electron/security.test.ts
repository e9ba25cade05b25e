import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { appProtocolResponse } from '../../src-main/electron/appProtocol'
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  devServerOrigin,
  IPC_CHANNELS,
  isAllowedPrintRequest,
  isAllowedRequest,
  isTrustedSenderUrl,
  originOf,
  windowWebPreferences,
} from '../../src-main/electron/security'
import { writePrivateTempFile } from '../../src-main/electron/tempFiles'
import { METHOD_NAMES } from '../../src-main/common/api'
import { REPO_ROOT } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

const mainSrc = fs.readFileSync(path.join(REPO_ROOT, 'src-main', 'electron', 'main.ts'), 'utf8')
const preloadSrc = fs.readFileSync(path.join(REPO_ROOT, 'src-main', 'preload', 'index.ts'), 'utf8')

describe('desktop window security', () => {
  it('isolates the page: context isolation, sandbox, no Node integration, no webviews', () => {
    const w = windowWebPreferences('/app/out/preload/index.cjs')
    expect(w).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false })
    // The window factory uses exactly these preferences.
    expect(mainSrc).toMatch(/webPreferences: windowWebPreferences\(/)
  })

  it('has a strict content security policy (self only, no remote scripts, no framing)', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'")
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/)
    const html = fs.readFileSync(path.join(REPO_ROOT, 'src-renderer', 'index.html'), 'utf8')
    expect(html).toContain('Content-Security-Policy')
  })

  it('denies new windows, navigation away, permission requests, webviews and remote requests', () => {
    expect(mainSrc).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/)
    expect(mainSrc).toMatch(/will-navigate/)
    expect(mainSrc).toMatch(/setPermissionRequestHandler\(\(_wc, _perm, cb\) => cb\(false\)\)/)
    expect(mainSrc).toMatch(/will-attach-webview/)
    expect(mainSrc).toMatch(/onBeforeRequest/)
  })

  it('answers IPC only from the app’s own origin, compared exactly', () => {
    expect(isTrustedSenderUrl(APP_ENTRY_URL)).toBe(true)
    expect(isTrustedSenderUrl('app://renderer/index.html#/maps')).toBe(true)
    // Any file called renderer/index.html used to pass: other folders, network shares.
    expect(isTrustedSenderUrl('file:///opt/Platonic Lab/resources/app.asar/out/renderer/index.html')).toBe(false)
    expect(isTrustedSenderUrl('file:///home/someone/Downloads/out/renderer/index.html')).toBe(false)
    expect(isTrustedSenderUrl('file://fileserver/share/renderer/index.html')).toBe(false)
    expect(isTrustedSenderUrl('file:///tmp/evil.html')).toBe(false)
    expect(isTrustedSenderUrl('https://example.org/out/renderer/index.html')).toBe(false)
    for (const u of ['app://renderer.evil/index.html', 'app://evil/index.html', 'app://user@renderer/index.html', 'app://renderer:8080/index.html', 'app:renderer/index.html', 'about:blank', 'not a url']) {
      expect(isTrustedSenderUrl(u), u).toBe(false)
    }
    expect(isTrustedSenderUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true)
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isTrustedSenderUrl('http://localhost:5173.evil.com/', 'http://localhost:5173')).toBe(false)
    expect(isTrustedSenderUrl('http://localhost:5173@evil.com/', 'http://localhost:5173')).toBe(false)
    expect(isTrustedSenderUrl('https://localhost:5173/', 'http://localhost:5173')).toBe(false)
    expect(isTrustedSenderUrl('http://localhost:5173/')).toBe(false)
    // Every IPC handler checks the sender frame before doing anything.
    const handlers = mainSrc.match(/ipcMain\.handle\(/g) ?? []
    const checks = mainSrc.match(/if \(!trusted\(e\)\)/g) ?? []
    expect(handlers.length).toBe(Object.keys(IPC_CHANNELS).length - 1)
    expect(checks.length).toBe(handlers.length)
  })

  it('exposes only invoke/onEvent and two desktop helpers, with the contract as the allow-list', () => {
    expect(preloadSrc).toMatch(/exposeInMainWorld\('platonic'/)
    expect(preloadSrc).toMatch(/new Set<string>\(METHOD_NAMES\)/)
    for (const key of ['invoke(', 'onEvent(', 'pickPath(', 'savePdf(']) expect(preloadSrc).toContain(key)
    expect(preloadSrc).not.toMatch(/ipcRenderer\.(send|sendSync)\(/)
    expect(METHOD_NAMES.length).toBeGreaterThan(20)
  })
})

describe('origins, dev server and request filters', () => {
  it('spells origins as strings, app: included, and none for file:, data: or credentials', () => {
    expect(originOf('app://renderer/assets/x.js?v=1#h')).toBe('app://renderer')
    expect(originOf('http://127.0.0.1:5173/a')).toBe('http://127.0.0.1:5173')
    expect(originOf('https://example.org:443/')).toBe('https://example.org')
    expect(originOf('file:///etc/passwd')).toBeNull()
    expect(originOf('data:text/html,x')).toBeNull()
    expect(originOf('app://u:p@renderer/')).toBeNull()
    expect(originOf('%%%')).toBeNull()
  })

  it('honours ELECTRON_RENDERER_URL only unpackaged, only for an http loopback origin', () => {
    expect(devServerOrigin('http://localhost:5173/', false)).toBe('http://localhost:5173')
    expect(devServerOrigin('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173')
    expect(devServerOrigin('http://localhost:5173/', true)).toBeNull()
    expect(devServerOrigin(undefined, false)).toBeNull()
    for (const u of ['http://localhost:5173.evil.com/', 'https://example.org/', 'http://evil.example:5173', 'file:///tmp/index.html', 'http://user:pw@localhost:5173/', 'javascript:alert(1)', 'localhost:5173']) {
      expect(devServerOrigin(u, false), u).toBeNull()
    }
  })

  it('lets the app session load only its own origin, inline data and (in development) the dev server', () => {
    const dev = 'http://localhost:5173'
    for (const u of ['app://renderer/index.html', 'app://renderer/assets/index-abc.js', 'data:image/png;base64,AA==', 'blob:app://renderer/7d1c', 'devtools://devtools/bundled/inspector.html']) {
      expect(isAllowedRequest(u), u).toBe(true)
    }
    for (const u of ['file:///etc/passwd', 'file:///opt/app/out/renderer/index.html', 'https://example.org/x.js', 'http://127.0.0.1:8080/', 'blob:https://evil.example/1', 'app://other/x', 'ws://localhost:5173/', 'http://localhost:5173/']) {
      expect(isAllowedRequest(u), u).toBe(false)
    }
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', dev)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5174/', dev)).toBe(false)
    expect(isAllowedRequest('http://localhost:5173.evil.com/x.js', dev)).toBe(false)
    expect(isAllowedRequest('file:///etc/passwd', dev)).toBe(false)
  })

  it('lets the report printer load its own page and inline data, no other file and nothing remote', () => {
    const page = 'file:///tmp/platonic-report-Ab12/report.html'
    expect(isAllowedPrintRequest(page, page)).toBe(true)
    expect(isAllowedPrintRequest('data:image/svg+xml;base64,PHN2Zy8+', page)).toBe(true)
    for (const u of ['file:///etc/passwd', 'file:///tmp/platonic-report-Ab12/other.png', 'file:///tmp/platonic-report-Ab12/report.html?x', 'https://example.org/t.png', 'app://renderer/index.html']) {
      expect(isAllowedPrintRequest(u, page), u).toBe(false)
    }
  })
})

describe('app:// protocol handler', () => {
  function renderer(): { root: string; cleanup(): void } {
    const t = tmpDir()
    const root = path.join(t.dir, 'renderer')
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Platonic Lab</title>')
    fs.writeFileSync(path.join(root, 'assets', 'a.js'), 'export const a = 1')
    fs.writeFileSync(path.join(t.dir, 'secret.txt'), 'do not serve')
    fs.symlinkSync(path.join(t.dir, 'secret.txt'), path.join(root, 'assets', 'link.js'))
    fs.symlinkSync(t.dir, path.join(root, 'up'))
    return { root, cleanup: t.cleanup }
  }

  it('serves the built renderer’s files with their type and the CSP', async () => {
    const r = renderer()
    try {
      const index = await appProtocolResponse(r.root, 'app://renderer/index.html')
      expect(index.status).toBe(200)
      expect(await index.text()).toContain('<title>Platonic Lab</title>')
      expect(index.headers.get('content-type')).toMatch(/^text\/html/)
      expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      const js = await appProtocolResponse(r.root, 'app://renderer/assets/a.js?v=2')
      expect(js.status).toBe(200)
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
      expect(await js.text()).toBe('export const a = 1')
      expect(await (await appProtocolResponse(r.root, 'app://renderer/')).text()).toContain('Platonic Lab')
    } finally {
      r.cleanup()
    }
  })

  it('never leaves the renderer folder, and answers only GET on its own origin', async () => {
    const r = renderer()
    try {
      for (const u of [
        'app://renderer/../secret.txt',
        'app://renderer/%2e%2e/secret.txt',
        'app://renderer/assets/%2e%2e/%2e%2e/secret.txt',
        'app://renderer/..%2fsecret.txt',
        'app://renderer/..%5csecret.txt',
        'app://renderer/assets/link.js',
        'app://renderer/up/secret.txt',
        'app://renderer/a%00b.js',
        'app://other/index.html',
        'file:///etc/passwd',
      ]) {
        const res = await appProtocolResponse(r.root, u)
        expect(res.status, u).toBe(404)
        expect(await res.text(), u).not.toContain('do not serve')
      }
      expect((await appProtocolResponse(r.root, APP_ENTRY_URL, 'POST')).status).toBe(405)
      fs.rmSync(path.join(r.root, 'assets', 'a.js'))
      expect((await appProtocolResponse(r.root, 'app://renderer/assets/a.js')).status).toBe(404)
    } finally {
      r.cleanup()
    }
  })
})

describe('private temp files', () => {
  it('writes into a fresh 0700 folder, exclusively and 0600, and removes it', () => {
    const a = writePrivateTempFile('report.html', '<p>a</p>', 'pl-test-')
    const b = writePrivateTempFile('report.html', '<p>b</p>', 'pl-test-')
    try {
      expect(a.dir).not.toBe(b.dir)
      expect(path.dirname(a.dir)).toBe(os.tmpdir())
      expect(path.basename(a.dir)).toMatch(/^pl-test-[A-Za-z0-9]{6}$/)
      expect(fs.statSync(a.dir).mode & 0o777).toBe(0o700)
      expect(fs.lstatSync(a.file).isFile()).toBe(true)
      expect(fs.statSync(a.file).mode & 0o777).toBe(0o600)
      expect(fs.readFileSync(a.file, 'utf8')).toBe('<p>a</p>')
      expect(fs.readFileSync(b.file, 'utf8')).toBe('<p>b</p>')
    } finally {
      a.remove()
      b.remove()
    }
    expect(fs.existsSync(a.dir)).toBe(false)
  })

  it('refuses names that are not plain file names', () => {
    for (const n of ['', '.', '..', '../x.html', 'a/b.html', '/etc/passwd']) expect(() => writePrivateTempFile(n, 'x', 'pl-test-'), n).toThrow(/plain file name/)
  })
})

describe('desktop shell glue', () => {
  it('serves the renderer from app:// registered before ready, with no file:// page and guarded navigation', () => {
    const register = mainSrc.indexOf('registerSchemesAsPrivileged(')
    expect(register).toBeGreaterThan(0)
    expect(register).toBeLessThan(mainSrc.indexOf('app.whenReady()'))
    expect(mainSrc).toMatch(/protocol\.handle\(APP_SCHEME, \(req\) => appProtocolResponse\(/)
    expect(mainSrc).not.toMatch(/loadFile\(/)
    expect(mainSrc).not.toMatch(/startsWith\('file:\/\/'\)/)
    expect(mainSrc).toMatch(/devServerOrigin\(process\.env\.ELECTRON_RENDERER_URL, app\.isPackaged\)/)
    for (const ev of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) expect(mainSrc).toContain(`'${ev}'`)
    expect(mainSrc).toMatch(/app\.on\('web-contents-created', \(_e, wc\) => guardNavigation\(wc\)\)/)
    expect(mainSrc).toMatch(/onBeforeRequest\(\(details, cb\) => cb\(\{ cancel: !isAllowedRequest\(details\.url, devOrigin\) \}\)\)/)
  })

  it('prints reports from a private temp file in a session that loads nothing else, without JavaScript', () => {
    expect(mainSrc).toMatch(/writePrivateTempFile\('report\.html', html/)
    expect(mainSrc).not.toMatch(/os\.tmpdir\(\)/)
    expect(mainSrc).toMatch(/session: printSession\(\), sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false/)
    expect(mainSrc).toMatch(/isAllowedPrintRequest\(details\.url, p\)/)
  })
})

describe('Electron fuses of the packaged build', () => {
  const require = createRequire(import.meta.url)
  const fuses = require('../../scripts/electronFuses.cjs') as {
    setFuseWires(b: Buffer, settings?: Record<string, boolean>): number
    fuseFile(outDir: string, platform: string, productFilename: string, executableName: string): string
    FUSES: Record<string, boolean>
  }
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
  /** A fake binary: noise, then the sentinel, wire version, wire length and `wire` (one char a fuse). */
  const binary = (wire: string, version = 1, copies = 1): Buffer => {
    const parts: Buffer[] = [Buffer.from('\x7fELF some code dL7pKG not the sentinel')]
    for (let i = 0; i < copies; i++) parts.push(Buffer.from(SENTINEL, 'ascii'), Buffer.from([version, wire.length]), Buffer.from(wire, 'ascii'), Buffer.from(' more code '))
    return Buffer.concat(parts)
  }
  const wireOf = (b: Buffer, n = 0): string => {
    let at = -1
    for (let i = 0; i <= n; i++) at = b.indexOf(SENTINEL, at + 1)
    const start = at + SENTINEL.length
    return b.subarray(start + 2, start + 2 + b[start + 1]!).toString('ascii')
  }

  it('is wired into electron-builder as the afterPack hook', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { build: Record<string, unknown> }
    expect(pkg.build.afterPack).toBe('scripts/electronFuses.cjs')
    expect(fs.existsSync(path.join(REPO_ROOT, 'scripts', 'electronFuses.cjs'))).toBe(true)
  })

  it('turns off NODE_OPTIONS, --inspect and file:// privileges; turns on cookie encryption, asar integrity and asar-only loading', () => {
    // Wire positions (Electron fuse wire v1): 0 RunAsNode, 1 EnableCookieEncryption,
    // 2 EnableNodeOptionsEnvironmentVariable, 3 EnableNodeCliInspectArguments,
    // 4 EnableEmbeddedAsarIntegrityValidation, 5 OnlyLoadAppFromAsar,
    // 6 LoadBrowserProcessSpecificV8Snapshot, 7 GrantFileProtocolExtraPrivileges, 8 WasmTrapHandlers.
    const b = binary('101100110')
    expect(fuses.setFuseWires(b)).toBe(1)
    expect(wireOf(b)).toBe('110011100')
    const all = binary('000000000')
    fuses.setFuseWires(all)
    expect(wireOf(all)).toBe('110011000')
  })

  it('sets both wires of a universal binary, keeps removed fuses, and refuses what it does not know', () => {
    const two = binary('111111111', 1, 2)
    expect(fuses.setFuseWires(two)).toBe(2)
    // Fuses this build leaves alone (6 and 8) keep their state.
    expect(wireOf(two, 0)).toBe('110011101')
    expect(wireOf(two, 1)).toBe('110011101')
    const removed = binary('1r11r1111')
    fuses.setFuseWires(removed)
    expect(wireOf(removed)).toBe('1r00r1101')
    expect(() => fuses.setFuseWires(Buffer.from('no fuses here'))).toThrow(/no fuse wire/)
    expect(() => fuses.setFuseWires(binary('111111111', 2))).toThrow(/version 2/)
    expect(() => fuses.setFuseWires(binary('1111'))).toThrow(/no fuse/)
    expect(() => fuses.setFuseWires(binary('111111111'), { NoSuchFuse: true })).toThrow(/unknown fuse/)
  })

  it('finds the binary holding the wire on each platform', () => {
    expect(fuses.fuseFile('/o', 'linux', 'Platonic Lab', 'platonic-lab')).toBe(path.join('/o', 'platonic-lab'))
    expect(fuses.fuseFile('/o', 'win32', 'Platonic Lab', 'Platonic Lab')).toBe(path.join('/o', 'Platonic Lab.exe'))
    expect(fuses.fuseFile('/o', 'darwin', 'Platonic Lab', 'Platonic Lab')).toBe(path.join('/o', 'Platonic Lab.app', 'Contents', 'Frameworks', 'Electron Framework.framework', 'Electron Framework'))
  })
})
