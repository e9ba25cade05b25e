import type { DispatchResult } from '../../../src-main/common/dispatch'
import type { AppEvent } from '../../../src-main/common/contract/events'
import type { DesktopBridge, Host } from './host'

/**
 * The desktop window: calls go through the preload's allow-listed bridge to the backend, files are
 * picked in native dialogs, and the main process prints the preview's HTML to a PDF.
 */
export function desktopHost(bridge: DesktopBridge): Host {
  return {
    kind: 'desktop',
    transport: {
      invoke: async (method, args) => (await bridge.invoke(method, args)) as DispatchResult,
      onEvent: (cb) => bridge.onEvent((e) => cb(e as AppEvent)),
    },
    canPickPaths: true,
    pickPath: (kind) => bridge.pickPath(kind),
    async exportPdf(report) {
      const where = await bridge.savePdf(await report.html(), report.paper)
      return where ? `Saved to ${where}` : null
    },
  }
}
