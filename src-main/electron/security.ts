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

/** Only the app's own pages may call the API: the packaged file:// renderer, or the dev server. */
export function isTrustedSenderUrl(url: string, devServerUrl?: string): boolean {
  if (devServerUrl) {
    try {
      const d = new URL(devServerUrl)
      const u = new URL(url)
      if (u.origin === d.origin) return true
    } catch {
      return false
    }
  }
  return url.startsWith('file://') && /\/out\/renderer\/index\.html(?:[?#].*)?$|\/renderer\/index\.html(?:[?#].*)?$/.test(url)
}

/** Channels of the preload bridge; nothing else is exposed to the page. */
export const IPC_CHANNELS = {
  invoke: 'platonic:invoke',
  event: 'platonic:event',
  pickPath: 'platonic:pick-path',
  savePdf: 'platonic:save-pdf',
} as const
