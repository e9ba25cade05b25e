import { parentPort, workerData } from 'node:worker_threads'
import { isAppError } from '../../common/errors'
import { ArrayStore } from '../store/arrays'
import { CLAIM_OPEN, CLAIM_SLOTS, CLAIM_WORKER, makeBatchPreparer, transferList, type PrepItem, type PrepSpec } from './prepare'

/**
 * Worker-thread entry: prepares batches (decode + preprocess images, or tokenise captions) and writes
 * finished batches' array files (hash, write, fsync, rename) while the main thread is inside
 * session.run. Protocol: `ready` (or `init-error`) once, then one `done` or `failed` answer per request.
 * `{ items }`, sent first, gives the item list; `{ id, start, end }` prepares a slice of the item list (answered in order) unless the requesting
 * thread has claimed it first (see CLAIM_SLOTS; then no answer is sent); `{ id, store: bytes }`
 * writes an array file to the workspace's array store and answers `{ sha256, bytes }` once it is durable.
 */
const port = parentPort
if (!port) throw new Error('prepWorker must run in a worker thread')
const { spec, arraysRoot, claims: claimBuffer } = workerData as { spec: PrepSpec; arraysRoot: string | null; claims: SharedArrayBuffer }
// The item list arrives in the first message (the worker starts before the dataset is loaded).
let items: PrepItem[] = []
const claims = new Int32Array(claimBuffer)
const arrays = arraysRoot ? new ArrayStore(arraysRoot) : null
let prepare: ReturnType<typeof makeBatchPreparer> | null = null
try {
  prepare = makeBatchPreparer(spec)
  port.postMessage({ type: 'ready' })
} catch (e) {
  port.postMessage({ type: 'init-error', message: e instanceof Error ? e.message : String(e) })
}
port.on('message', (m: { id: number; start: number; end: number; store?: Uint8Array; items?: PrepItem[] }) => {
  if (m.items) {
    items = m.items
    return
  }
  try {
    if (m.store) {
      if (!arrays) throw new Error('no array store was given to this worker')
      // The fsync goes to libuv's pool, so preparing the next batches is not held up behind the disk.
      arrays.putAsync(m.store).then(
        (stored) => port.postMessage({ type: 'done', id: m.id, stored }),
        (e: unknown) => port.postMessage({ type: 'failed', id: m.id, code: isAppError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) }),
      )
      return
    }
    if (Atomics.compareExchange(claims, m.id % CLAIM_SLOTS, CLAIM_OPEN, CLAIM_WORKER) !== CLAIM_OPEN) return
    const feeds = prepare!(items.slice(m.start, m.end))
    port.postMessage({ type: 'done', id: m.id, feeds }, transferList(feeds))
  } catch (e) {
    port.postMessage({ type: 'failed', id: m.id, code: isAppError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message : String(e) })
  }
})
