import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, IPC_CHANNELS, isTrustedSenderUrl, windowWebPreferences } from '../../src-main/electron/security'
import { METHOD_NAMES } from '../../src-main/common/api'
import { REPO_ROOT } from '../helpers/fixtures'

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

  it('answers IPC only from the app’s own frames', () => {
    expect(isTrustedSenderUrl('file:///opt/Platonic Lab/resources/app.asar/out/renderer/index.html')).toBe(true)
    expect(isTrustedSenderUrl('file:///opt/Platonic Lab/resources/app.asar/out/renderer/index.html#/maps')).toBe(true)
    expect(isTrustedSenderUrl('file:///tmp/evil.html')).toBe(false)
    expect(isTrustedSenderUrl('https://example.org/out/renderer/index.html')).toBe(false)
    expect(isTrustedSenderUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true)
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
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
