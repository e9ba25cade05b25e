/**
 * Electron main process: a thin shell. It opens the window, forwards the page's API calls to the
 * backend utility process, shows native dialogs and prints reports. No workspace or model code runs
 * here. This is the only code not exercised by the test suite (no Electron binary on CI machines).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } from 'electron'
import { fork } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PICK_KINDS, pickFilters } from '../common/contract/bridge'
import type { Paper } from '../common/contract/report'
import { resolveDataDir } from '../core/paths'
import { appProtocolResponse } from './appProtocol'
import { APP_ENTRY_URL, APP_SCHEME, CONTENT_SECURITY_POLICY, devServerOrigin, IPC_CHANNELS, isAllowedPrintRequest, isAllowedRequest, isTrustedSenderUrl, windowWebPreferences } from './security'
import { writePrivateTempFile } from './tempFiles'

const here = path.dirname(fileURLToPath(import.meta.url))
const rendererRoot = path.join(here, '..', 'renderer')
/** The dev server, only in an unpackaged app and only as an exact loopback origin (see devServerOrigin). */
const devOrigin = devServerOrigin(process.env.ELECTRON_RENDERER_URL, app.isPackaged)
/** File URLs of the reports being printed: the only pages the print session may load. */
const printPages = new Set<string>()

// Must happen before 'ready': app:// behaves like https (standard, secure, fetch) for the renderer.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }])
/** The backend process, whichever host runs it (see startBackend). */
interface BackendHandle {
  postMessage(m: unknown): void
  on(ev: 'message', cb: (m: { type: string; id?: number; result?: unknown; event?: unknown; message?: string }) => void): void
  on(ev: 'exit', cb: (code: number | null) => void): void
  kill(): void
}
let backend: BackendHandle | null = null
let nextId = 1
const pending = new Map<number, (r: unknown) => void>()

function dataDirFromArgs(): string | undefined {
  const i = process.argv.indexOf('--data')
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** App settings (the chosen workspace) live in Electron's per-user data folder, never in the install folder. */
function settingsFile(): string {
  return path.join(app.getPath('userData'), 'settings.json')
}

function readSettings(): { workspace?: string } {
  try {
    return JSON.parse(fs.readFileSync(settingsFile(), 'utf8')) as { workspace?: string }
  } catch {
    return {}
  }
}

/** --data, else $PLATONIC_LAB_DATA, else the folder the user last chose, else <app data>/workspace. */
function workspaceDir(): string {
  return resolveDataDir(dataDirFromArgs() ?? (process.env.PLATONIC_LAB_DATA ? undefined : readSettings().workspace))
}

async function chooseWorkspace(): Promise<void> {
  const r = await dialog.showOpenDialog({ title: 'Open or create a workspace folder', properties: ['openDirectory', 'createDirectory'] })
  if (r.canceled || !r.filePaths[0]) return
  fs.mkdirSync(path.dirname(settingsFile()), { recursive: true })
  fs.writeFileSync(settingsFile(), JSON.stringify({ ...readSettings(), workspace: r.filePaths[0] }, null, 2))
  backend?.kill()
  startBackend()
  for (const w of BrowserWindow.getAllWindows()) w.webContents.reload()
}

/**
 * Packaged app: a utilityProcess (its native modules are rebuilt for Electron at packaging time).
 * Development (`npm start` passes PLATONIC_LAB_NODE): a child of the system Node, because the
 * development native modules are built for that Node, not for Electron.
 */
function spawnBackend(): BackendHandle {
  const entry = path.join(here, 'backend.js')
  const node = process.env.PLATONIC_LAB_NODE
  if (!app.isPackaged && node) {
    const child = fork(entry, [], { execPath: node, stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } })
    const on = (ev: string, cb: (...args: unknown[]) => void) => void child.on(ev, cb)
    return { postMessage: (m) => void child.send(m as object), on, kill: () => void child.kill() } as BackendHandle
  }
  // The packaged resources (demo models, dataset, tables) sit outside the asar; tell the backend where.
  const env = { ...process.env, PLATONIC_LAB_RESOURCES: path.join(process.resourcesPath, 'resources') }
  const u = utilityProcess.fork(entry, [], { serviceName: 'Platonic Lab backend', stdio: 'inherit', env })
  const on = (ev: string, cb: (...args: unknown[]) => void) => void (u.on as (e: string, f: (...args: unknown[]) => void) => void)(ev, cb)
  return { postMessage: (m) => u.postMessage(m), on, kill: () => void u.kill() } as BackendHandle
}

function startBackend(): void {
  backend = spawnBackend()
  backend.on('message', (m) => {
    if (m.type === 'result' && m.id !== undefined) {
      pending.get(m.id)?.(m.result)
      pending.delete(m.id)
    } else if (m.type === 'event') {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_CHANNELS.event, m.event)
    } else if (m.type === 'fatal') {
      dialog.showErrorBox('Platonic Lab', `The workspace could not be opened: ${m.message}`)
    }
  })
  backend.on('exit', (code) => {
    for (const [, resolve] of pending) resolve({ ok: false, error: { code: 'UNAVAILABLE', message: `the backend stopped (code ${code})` } })
    pending.clear()
  })
  backend.postMessage({ type: 'init', dataDir: workspaceDir() })
}

function trusted(e: Electron.IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? ''
  return isTrustedSenderUrl(url, devOrigin)
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1360,
    height: 900,
    show: false,
    title: 'Platonic Lab',
    webPreferences: windowWebPreferences(path.join(here, '..', 'preload', 'index.cjs')),
  })
  win.once('ready-to-show', () => win.show())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  void win.loadURL(devOrigin ? process.env.ELECTRON_RENDERER_URL! : APP_ENTRY_URL)
}

/** Navigation of any frame, redirects included, may only stay on the app's own origin. */
function guardNavigation(wc: Electron.WebContents): void {
  const refuse = (e: { url: string; preventDefault(): void }) => {
    if (!isTrustedSenderUrl(e.url, devOrigin)) e.preventDefault()
  }
  wc.on('will-navigate', refuse)
  wc.on('will-frame-navigate', refuse)
  wc.on('will-redirect', refuse)
  wc.on('will-attach-webview', (ev) => ev.preventDefault())
  wc.setWindowOpenHandler(() => ({ action: 'deny' }))
}

/**
 * Prints renderer-supplied HTML: written exclusively into a private temp folder, shown in a window
 * without JavaScript whose in-memory session loads that one file and inline data, nothing else.
 */
async function printHtmlToPdf(html: string, paper: Paper): Promise<Buffer> {
  const tmp = writePrivateTempFile('report.html', html, 'platonic-report-')
  const pageUrl = pathToFileURL(tmp.file).href
  printPages.add(pageUrl)
  const win = new BrowserWindow({ show: false, webPreferences: { session: printSession(), sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } })
  try {
    await win.loadURL(pageUrl)
    return await win.webContents.printToPDF({ pageSize: paper, printBackground: true, displayHeaderFooter: true, footerTemplate: '<div style="font-size:8px;width:100%;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>', headerTemplate: '<div></div>' })
  } finally {
    win.destroy()
    printPages.delete(pageUrl)
    tmp.remove()
  }
}

let printSessionCache: Electron.Session | null = null
function printSession(): Electron.Session {
  if (printSessionCache) return printSessionCache
  const s = session.fromPartition('platonic-print')
  s.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  s.setPermissionCheckHandler(() => false)
  s.webRequest.onBeforeRequest((details, cb) => cb({ cancel: ![...printPages].some((p) => isAllowedPrintRequest(details.url, p)) }))
  printSessionCache = s
  return s
}

void app.whenReady().then(() => {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'File', submenu: [{ label: 'Open Workspace Folder…', accelerator: 'CmdOrCtrl+O', click: () => void chooseWorkspace() }, { type: 'separator' }, { role: 'quit' }] },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { label: 'Help', submenu: [{ label: 'Open workspace folder', click: () => void shell.openPath(workspaceDir()) }] },
    ]),
  )
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  // No remote content and no file:// at all: only the app's own origin (or the dev server's).
  session.defaultSession.webRequest.onBeforeRequest((details, cb) => cb({ cancel: !isAllowedRequest(details.url, devOrigin) }))
  protocol.handle(APP_SCHEME, (req) => appProtocolResponse(rendererRoot, req.url, req.method))
  ipcMain.handle(IPC_CHANNELS.invoke, (e, method: unknown, args: unknown) => {
    if (!trusted(e)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'call from an untrusted frame' } }
    if (!backend) return { ok: false, error: { code: 'UNAVAILABLE', message: 'the backend is not running' } }
    const id = nextId++
    return new Promise((resolve) => {
      pending.set(id, resolve)
      backend!.postMessage({ type: 'call', id, method, args })
    })
  })
  ipcMain.handle(IPC_CHANNELS.pickPath, async (e, kind: string) => {
    if (!trusted(e)) return null
    if (!(PICK_KINDS as readonly string[]).includes(kind)) return null
    const folder = kind.endsWith('folder')
    const r = await dialog.showOpenDialog({
      properties: [folder ? 'openDirectory' : 'openFile'],
      filters: folder ? undefined : pickFilters(kind),
    })
    return r.canceled ? null : (r.filePaths[0] ?? null)
  })
  ipcMain.handle(IPC_CHANNELS.savePdf, async (e, html: string, paper: Paper) => {
    if (!trusted(e)) return null
    const r = await dialog.showSaveDialog({ defaultPath: 'platonic-lab-report.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] })
    if (r.canceled || !r.filePath) return null
    fs.writeFileSync(r.filePath, await printHtmlToPdf(html, paper))
    return r.filePath
  })
  app.on('web-contents-created', (_e, wc) => guardNavigation(wc))
  startBackend()
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  backend?.kill()
  if (process.platform !== 'darwin') app.quit()
})
