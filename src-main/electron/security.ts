/**
 * Security settings of the desktop window, kept free of Electron imports so tests can assert them.
 * Why each one: the renderer shows data derived from untrusted files (captions, evaluation outputs),
 * so it must never reach Node or load remote content even if an injection slipped through.
 */
export function windowWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  } as const
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * The renderer is served from this privileged custom scheme (see appProtocol.ts), never from file://,
 * so "the app's page" is one exact origin instead of any file that happens to be called index.html.
 */
export const APP_SCHEME = 'app'
export const APP_ORIGIN = 'app://renderer'
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * The origin of a URL as a string (`scheme://host[:port]`), or null for URLs without one (file:,
 * data:, about:, unparsable). WHATWG URL gives custom schemes the opaque origin "null", so app: is
 * spelled out here.
 */
export function originOf(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.username || u.password) return null
  if (u.protocol === `${APP_SCHEME}:`) return u.host ? `${APP_SCHEME}://${u.host}` : null
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin
  return null
}

const DEV_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The dev server's origin from ELECTRON_RENDERER_URL, or null. Only an unpackaged app honours it, and
 * only an http URL on this machine: a packaged app always shows its own files, whatever the
 * environment says.
 */
export function devServerOrigin(envUrl: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || !envUrl) return null
  let u: URL
  try {
    u = new URL(envUrl)
  } catch {
    return null
  }
  if (u.protocol !== 'http:' || !DEV_HOSTS.has(u.hostname) || u.username || u.password) return null
  return u.origin
}

/** Only the app's own pages may call the API or be navigated to: exactly its origin, or the dev server's. */
export function isTrustedSenderUrl(url: string, devOrigin?: string | null): boolean {
  const o = originOf(url)
  return o !== null && (o === APP_ORIGIN || (!!devOrigin && o === devOrigin))
}

/**
 * Which requests the app's session lets through (everything else is cancelled): the app's own files,
 * data: and blob: URLs the page makes itself, devtools, and in development the dev server (with its
 * hot-reload websocket). file:// is refused outright.
 */
export function isAllowedRequest(url: string, devOrigin?: string | null): boolean {
  if (url.startsWith('data:') || url.startsWith('devtools://')) return true
  if (url.startsWith('blob:')) return isTrustedSenderUrl(url.slice('blob:'.length), devOrigin)
  if (isTrustedSenderUrl(url, devOrigin)) return true
  if (devOrigin && url.startsWith('ws:')) return originOf(`http:${url.slice(3)}`) === devOrigin
  return false
}

/**
 * Requests allowed while printing a report: the report page itself and inline data only. The HTML
 * comes from the renderer, so it must not pull in other local files (file:// subresources) or
 * anything remote.
 */
export function isAllowedPrintRequest(url: string, pageUrl: string): boolean {
  if (url.startsWith('data:')) return true
  try {
    return new URL(url).href === new URL(pageUrl).href
  } catch {
    return false
  }
}

export { IPC_CHANNELS } from '../common/contract/bridge'
