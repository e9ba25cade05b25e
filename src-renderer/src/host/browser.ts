import type { Transport } from '../../../src-main/common/client'
import type { DispatchResult } from '../../../src-main/common/dispatch'
import type { AppEvent } from '../../../src-main/common/contract/events'
import { base64ToBlob, download } from './download'
import type { Host } from './host'

/**
 * A browser tab served by `platonic-lab serve` over loopback HTTP: no file dialogs (a page cannot
 * learn a path), and PDFs are printed by a report job on the backend and downloaded.
 */
export function browserHost(): Host {
  return {
    kind: 'browser',
    transport: httpTransport(),
    canPickPaths: false,
    pickPath: async () => null,
    async exportPdf(report, backend) {
      const job = await backend.runJob('report', { sections: report.sections, paper: report.paper }, 'Report PDF')
      const { pdf, bytes } = job.result
      const file = await backend.api.call('report.file', { name: pdf })
      download(file.name, base64ToBlob(file.base64, 'application/pdf'))
      return `Downloaded ${file.name}${bytes !== null ? ` (${Math.round(bytes / 1024)} KiB)` : ''}`
    },
  }
}

/**
 * POST /api/call with the per-run token in a header, events over server-sent events.
 * The token comes from the page URL once, is kept for this tab only (sessionStorage, never a cookie,
 * which every server on 127.0.0.1 would receive) and is removed from the address bar. EventSource
 * cannot send headers, so the event stream's URL carries it in the query; that URL is never shown.
 */
function httpTransport(): Transport {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem('pl_token', fromUrl)
    url.searchParams.delete('token')
    history.replaceState(null, '', url.pathname + url.search + url.hash)
  }
  const token = fromUrl ?? sessionStorage.getItem('pl_token') ?? ''
  const listeners = new Set<(e: AppEvent) => void>()
  let source: EventSource | null = null
  function connect(): void {
    if (source) return
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as AppEvent
      for (const l of listeners) l(e)
    }
  }
  return {
    async invoke(method, args) {
      if (!token) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'this page has no access token: open the address printed by `platonic-lab serve` (it ends in ?token=…)' } }
      let res: Response
      try {
        res = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-platonic-token': token },
          body: JSON.stringify({ method, args }),
        })
      } catch (e) {
        return { ok: false, error: { code: 'UNAVAILABLE', message: `the Platonic Lab server is not reachable (${String(e)})` } }
      }
      try {
        return (await res.json()) as DispatchResult
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: `unexpected reply from the server (HTTP ${res.status})` } }
      }
    },
    onEvent(cb) {
      listeners.add(cb)
      connect()
      return () => listeners.delete(cb)
    },
  }
}
