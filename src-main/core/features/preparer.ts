import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../common/errors'
import type { TextEncoder } from '../data/text'
import type { ArrayStore } from '../store/arrays'
import { CLAIM_CALLER, CLAIM_OPEN, CLAIM_SLOTS, makeBatchPreparer, specEncoder, type PlainFeed, type PrepItem, type PrepSpec } from './prepare'

/**
 * Prepares batches in a worker thread, so that decoding, preprocessing and tokenising batch b+1 overlap
 * session.run of batch b (onnxruntime-node's run occupies the calling thread until it returns). Where
 * no worker can start, or one dies, the same code runs inline: a batch is never lost, only slower.
 */
export interface BatchPreparer {
  /** Where batches are prepared now (see PreparerState); `note` says why `inline` when a worker was wanted. */
  readonly mode: PreparerState
  readonly note: string | null
  /** Settles once the worker serves requests, or has failed to start (or at once without a worker). */
  readonly ready: Promise<void>
  /** Batches prepared by the worker, and on the calling thread (inline, or taken over by `need`). */
  readonly counts: { worker: number; here: number }
  /**
   * Requests items [start, end) of the list given to `openPreparer`: queued for the worker (even while
   * it starts), or prepared at once without one.
   */
  prepare(start: number, end: number): Promise<PlainFeed[]>
  /**
   * A batch from `prepare`, needed now: if the worker has not started on it (it is still starting, or
   * busy with earlier batches), it is prepared here at once rather than waited for.
   */
  need(batch: Promise<PlainFeed[]>): Promise<PlainFeed[]>
  /**
   * Stores `bytes` in the array store given to `openPreparer` (hash, write, fsync, rename) and resolves
   * once the file is durable. The bytes must not change until then.
   */
  store(bytes: Uint8Array): Promise<{ sha256: string; bytes: number }>
  /** Stops the worker; requests still unanswered, and any made later, fail with CANCELLED. Closing twice is harmless. */
  close(): Promise<void>
  /** The worker thread, when there is one (tests stop it to check the inline takeover). */
  readonly thread?: Worker
}

/**
 * Where a preparer stands. `starting`: its worker thread boots and requests queue for it. `worker`: the
 * worker serves. `inline`: there is no worker (none was wanted, it could not start, it failed to
 * initialise or it died) and everything is prepared on the calling thread. `closed`: stopped, nothing
 * more is served.
 */
export type PreparerState = 'starting' | 'worker' | 'inline' | 'closed'

/** `ready`: the worker says it serves. `died`: it failed to initialise, threw, or exited. `close`: the caller stops it. */
export type PreparerEvent = 'ready' | 'died' | 'close'

/**
 * Every transition of a preparer; an event a state does not list is an error. A worker says `ready`
 * once, so a second `ready` while serving is one. Self-transitions are events that may legitimately
 * arrive late and change nothing: a failing worker reports an error and then its exit, a terminated
 * worker exits, and a message it posted before dying may still be delivered.
 */
const TRANSITIONS: Readonly<Record<PreparerState, Readonly<Partial<Record<PreparerEvent, PreparerState>>>>> = {
  starting: { ready: 'worker', died: 'inline', close: 'closed' },
  worker: { died: 'inline', close: 'closed' },
  inline: { ready: 'inline', died: 'inline', close: 'closed' },
  closed: { ready: 'closed', died: 'closed', close: 'closed' },
}

/** The state a preparer in `from` moves to on `event`; throws INTERNAL for a transition the table does not allow. */
export function nextPreparerState(from: PreparerState, event: PreparerEvent): PreparerState {
  const to = TRANSITIONS[from][event]
  if (to === undefined) throw new AppError('INTERNAL', `batch preparer: no transition from ${from} on ${event}`)
  return to
}

/** The error of a request made to (or left unanswered by) a closed preparer. */
function stopped(): AppError {
  return new AppError('CANCELLED', 'batch preparation stopped')
}

type Answer = { type: 'done'; id: number; feeds?: PlainFeed[]; stored?: { sha256: string; bytes: number } } | { type: 'failed'; id: number; code: ErrorCode; message: string }

/** The worker's entry: the electron-vite bundle next to this code, else the TypeScript source through tsx. */
function workerEntry(): { file: string; source: boolean } {
  const here = path.dirname(fileURLToPath(import.meta.url))
  for (const dir of [here, path.join(here, '..')]) {
    const bundled = path.join(dir, 'prepworker.js')
    if (fs.existsSync(bundled)) return { file: bundled, source: false }
  }
  return { file: path.join(here, 'prepWorker.ts'), source: true }
}

/** tsx's ESM API file (`require.resolve` would pick the CommonJS build, which cannot load ESM workers). */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> }
  const rel = pkg.exports?.['./esm/api']?.import?.default
  if (!rel) throw new Error('tsx has no ESM API export')
  return path.join(path.dirname(pkgFile), rel)
}

function startWorker(spec: PrepSpec, arraysRoot: string | null, claims: SharedArrayBuffer): Worker {
  const entry = workerEntry()
  const workerData = { spec, arraysRoot, claims }
  if (!entry.source) return new Worker(entry.file, { workerData })
  // Node 20 does not pass `--import tsx` hooks on to workers, so the source entry is loaded through
  // tsx's programmatic API from a tiny plain-JS bootstrap.
  const api = pathToFileURL(tsxEsmApi()).href
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(pathToFileURL(entry.file).href)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(code, { eval: true, workerData })
}

/** A preparer with no worker: `inline` until closed. */
function inlinePreparer(spec: PrepSpec, items: PrepItem[], arrays: ArrayStore | null, note: string | null, enc: TextEncoder | null): BatchPreparer {
  const prep = makeBatchPreparer(spec, enc)
  const counts = { worker: 0, here: 0 }
  let state: PreparerState = 'inline'
  return {
    counts,
    need: (batch) => batch,
    store: (bytes) => {
      if (state === 'closed') return Promise.reject(stopped())
      return arrays ? arrays.putAsync(bytes) : Promise.reject(new AppError('INTERNAL', 'no array store was given to the preparer'))
    },
    get mode() {
      return state
    },
    note,
    ready: Promise.resolve(),
    prepare: (start, end) => {
      if (state === 'closed') return Promise.reject(stopped())
      try {
        counts.here++
        return Promise.resolve(prep(items.slice(start, end)))
      } catch (e) {
        return Promise.reject(e)
      }
    },
    close: () => {
      state = nextPreparerState(state, 'close')
      return Promise.resolve()
    },
  }
}

/** Only the fields preparation reads, so the list sent to the worker carries no attributes or extras. */
function prepItems(items: readonly PrepItem[]): PrepItem[] {
  return items.map((it) => ({ id: it.id, image: it.image, caption: it.caption }))
}

/** A preparation worker started before the item list is known (see `launchPreparer`). */
export interface PreparerLaunch {
  /**
   * The preparer for `items` (the worker gets the list now). `arrays` stores files where the worker
   * cannot; `enc`, when the caller has the tokenizer loaded already, saves loading it again here.
   */
  begin(items: readonly PrepItem[], arrays: ArrayStore | null, enc: TextEncoder | null): BatchPreparer
  /** Stops the worker unused (a cache hit, an error, or a job too short to want it). */
  cancel(): void
  /** The worker thread, when one started (tests watch it exit). */
  readonly thread?: Worker
}

/**
 * Starts a preparation worker for `spec` ahead of the item list, so that it boots (longer from source
 * through tsx than bundled) while the caller hashes the dataset and creates the session, and
 * is ready, with the first batches prepared, when the first batch is needed. Requests queue for it
 * from the start; a batch needed before the worker has taken it (while it starts, or when a slow batch
 * holds it up) is prepared on the calling thread instead (`need`), so the caller never waits for a
 * worker that has not begun, and no batch is prepared twice. `ready` settles when the worker serves,
 * or has failed to start (then everything is inline and `note` says why). The worker receives the item
 * list once (only the fields preparation reads), so a request is two numbers (posting the items with
 * every batch would cost time per item). Errors thrown while preparing (an unreadable image, an empty
 * caption) reach the caller with the same code and message either way.
 */
export function launchPreparer(spec: PrepSpec, arraysRoot: string | null): PreparerLaunch {
  const claims = new Int32Array(new SharedArrayBuffer(4 * CLAIM_SLOTS))
  let w: Worker | null = null
  let startError: string | null = null
  try {
    w = startWorker(spec, arraysRoot, claims.buffer as SharedArrayBuffer)
  } catch (e) {
    startError = `preparation worker did not start (${e instanceof Error ? e.message : String(e)})`
  }
  // What each unanswered request would do inline, so a dead worker's requests can be redone.
  const pending = new Map<number, { batch: boolean; redo: (p: BatchPreparer) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  // The request id of each batch promise, for `need`.
  const ids = new WeakMap<Promise<PlainFeed[]>, number>()
  const counts = { worker: 0, here: 0 }
  let nextId = 0
  let state: PreparerState = w ? 'starting' : 'inline'
  let note: string | null = startError
  let inline: BatchPreparer | null = null
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  if (!w) markReady()
  let terminated: Promise<unknown> = Promise.resolve()
  // What entering each state does (self-transitions do nothing). Entering `inline` from a worker state:
  // its unanswered requests are redone inline, so no batch is lost to a worker crash.
  const on = (event: PreparerEvent, why = ''): void => {
    const from = state
    const to = nextPreparerState(from, event)
    if (to === from) return
    state = to
    markReady()
    if (to === 'inline') {
      note = why
      const left = [...pending.values()]
      pending.clear()
      for (const p of left) {
        if (p.batch) counts.here++
        p.redo(inline!).then(p.resolve, p.reject)
      }
      void w?.terminate().catch(() => undefined)
    } else if (to === 'closed') {
      for (const p of pending.values()) p.reject(stopped())
      pending.clear()
      terminated = w ? w.terminate().catch(() => undefined) : Promise.resolve()
    }
  }
  w?.on('message', (m: Answer | { type: 'ready' } | { type: 'init-error'; message: string }) => {
    if (m.type === 'ready') return on('ready')
    if (m.type === 'init-error') return on('died', `preparation worker failed to initialise (${m.message}); preparing inline`)
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.type === 'done' && m.feeds) counts.worker++
    if (m.type === 'done') p.resolve(m.feeds ?? m.stored)
    else p.reject(new AppError(m.code, m.message))
  })
  w?.on('error', (e) => on('died', `preparation worker failed (${e.message}); preparing inline`))
  w?.on('exit', (code) => on('died', `preparation worker exited with code ${code}; preparing inline`))
  const stop = async (): Promise<void> => {
    on('close')
    await terminated
  }
  return {
    ...(w ? { thread: w } : {}),
    cancel: () => void stop(),
    begin(allItems, arrays, enc) {
      const items = prepItems(allItems)
      // Built before anything goes to the worker, so a tokenizer that cannot load fails here, as it would without a worker.
      if (!w) return inlinePreparer(spec, items, arrays, note, enc)
      const here = inlinePreparer(spec, items, arrays, null, enc)
      inline = here
      const worker = w
      worker.postMessage({ items })
      return {
        thread: worker,
        ready,
        counts,
        get mode() {
          return state
        },
        get note() {
          return note
        },
        prepare(start, end) {
          if (state === 'closed') return Promise.reject(stopped())
          if (state === 'inline') {
            counts.here++
            return here.prepare(start, end)
          }
          const id = nextId++
          Atomics.store(claims, id % CLAIM_SLOTS, CLAIM_OPEN)
          const batch = new Promise<PlainFeed[]>((resolve, reject) => {
            pending.set(id, { batch: true, redo: (p) => p.prepare(start, end), resolve: resolve as (v: unknown) => void, reject })
            worker.postMessage({ id, start, end })
          })
          ids.set(batch, id)
          return batch
        },
        need(batch) {
          const id = ids.get(batch)
          const p = id === undefined ? undefined : pending.get(id)
          // Answered, redone inline after a worker death, or already being prepared by the worker: wait.
          if (id === undefined || !p || Atomics.compareExchange(claims, id % CLAIM_SLOTS, CLAIM_OPEN, CLAIM_CALLER) !== CLAIM_OPEN) return batch
          pending.delete(id)
          counts.here++
          p.redo(here).then(p.resolve, p.reject)
          return batch
        },
        store(bytes) {
          if (state === 'closed') return Promise.reject(stopped())
          if (state !== 'worker') return here.store(bytes)
          const id = nextId++
          // Not transferred: the caller's bytes stay valid, and are stored inline if the worker dies first.
          // Bytes over a SharedArrayBuffer are shared with the worker rather than copied into the message.
          return new Promise<{ sha256: string; bytes: number }>((resolve, reject) => {
            pending.set(id, { batch: false, redo: (p) => p.store(bytes), resolve: resolve as (v: unknown) => void, reject })
            worker.postMessage({ id, store: bytes })
          })
        },
        close: stop,
      }
    },
  }
}

/** A preparer for `spec` over `items`: with `worker`, through a worker thread started now (see `launchPreparer`). */
export function openPreparer(spec: PrepSpec, items: readonly PrepItem[], worker: boolean, arrays: ArrayStore | null = null, enc: TextEncoder | null = null): BatchPreparer {
  if (!worker) return inlinePreparer(spec, prepItems(items), arrays, null, enc)
  // The tokenizer is checked before a worker is started for it: one that cannot load fails at once.
  if (spec.kind === 'text' && !enc) enc = specEncoder(spec)
  return launchPreparer(spec, arrays?.root ?? null).begin(items, arrays, enc)
}
