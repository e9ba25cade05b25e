import { fork } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, SHAPES } from '../helpers/fixtures'
import { tmpDir } from '../helpers/tmp'

/**
 * The desktop backend bundle (out/main/backend.js, built by npm run build) hosted the way `npm start`
 * hosts it during development: a Node child speaking the same messages the Electron shell sends
 * (init, call → result, events). The utilityProcess host differs only in its message port.
 */
describe('desktop backend process', () => {
  it('opens the workspace, answers calls through the dispatcher and relays events', async () => {
    const t = tmpDir()
    const child = fork(path.join(REPO_ROOT, 'out', 'main', 'backend.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    const messages: { type: string; id?: number; result?: { ok: boolean; result?: unknown; error?: { code: string } }; event?: { type: string } }[] = []
    const next = (pred: (m: (typeof messages)[number]) => boolean) =>
      new Promise<(typeof messages)[number]>((resolve) => {
        const found = messages.find(pred)
        if (found) return resolve(found)
        const on = (m: (typeof messages)[number]) => {
          if (pred(m)) {
            child.off('message', on)
            resolve(m)
          }
        }
        child.on('message', on)
      })
    child.on('message', (m: (typeof messages)[number]) => messages.push(m))
    try {
      child.send({ type: 'init', dataDir: t.dir })
      await next((m) => m.type === 'ready')
      child.send({ type: 'call', id: 1, method: 'datasets.add', args: { path: SHAPES } })
      const r = await next((m) => m.type === 'result' && m.id === 1)
      expect(r.result).toMatchObject({ ok: true, result: { n: 256 } })
      await next((m) => m.type === 'event' && m.event?.type === 'workspace.changed')
      child.send({ type: 'call', id: 2, method: 'fs.readFile', args: {} })
      expect((await next((m) => m.type === 'result' && m.id === 2)).result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    } finally {
      child.kill()
      t.cleanup()
    }
  })
})
