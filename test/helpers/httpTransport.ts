import type { Transport } from '../../src-main/common/client'
import type { DispatchResult } from '../../src-main/common/dispatch'
import type { AppEvent } from '../../src-main/common/contract/events'

/** The browser transport's wire protocol, spoken from Node (POST /api/call + SSE /api/events). */
export function nodeHttpTransport(base: string, token: string): Transport & { close(): void } {
  const listeners = new Set<(e: AppEvent) => void>()
  const ctrl = new AbortController()
  let started = false
  async function stream(): Promise<void> {
    const res = await fetch(`${base}/api/events`, { headers: { 'x-platonic-token': token }, signal: ctrl.signal })
    const reader = res.body!.getReader()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buf += new TextDecoder().decode(value)
      let i: number
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i)
        buf = buf.slice(i + 2)
        for (const line of chunk.split('\n')) if (line.startsWith('data: ')) for (const l of listeners) l(JSON.parse(line.slice(6)) as AppEvent)
      }
    }
  }
  return {
    async invoke(method, args) {
      const res = await fetch(`${base}/api/call`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-platonic-token': token }, body: JSON.stringify({ method, args }) })
      return (await res.json()) as DispatchResult
    },
    onEvent(cb) {
      listeners.add(cb)
      if (!started) {
        started = true
        stream().catch(() => undefined)
      }
      return () => listeners.delete(cb)
    },
    close: () => ctrl.abort(),
  }
}
