import { parentPort, workerData } from 'node:worker_threads'
import { isAppError } from '../../common/errors'
import { makeBatchPreparer, transferList, type PrepItem, type PrepSpec } from './prepare'

/**
 * Worker-thread entry: prepares batches (decode + preprocess images, or tokenise captions) while the
 * main thread is inside session.run. Protocol: `ready` (or `init-error`) once, then one `done` or
 * `failed` answer per `{ id, start, end }` request (a slice of the item list), in order.
 */
const port = parentPort
if (!port) throw new Error('prepWorker must run in a worker thread')
const { spec, items } = workerData as { spec: PrepSpec; items: PrepItem[] }
let prepare: ReturnType<typeof makeBatchPreparer> | null = null
try {
  prepare = makeBatchPreparer(spec)
  port.postMessage({ type: 'ready' })
} catch (e) {
  port.postMessage({ type: 'init-error', message: e instanceof Error ? e.message : String(e) })
}
port.on('message', (m: { id: number; start: number; end: number }) => {
  try {
    const feeds = prepare!(items.slice(m.start, m.end))
    port.postMessage({ type: 'done', id: m.id, feeds }, transferList(feeds))
  } catch (e) {
    port.postMessage({ type: 'failed', id: m.id, code: isAppError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) })
  }
})
