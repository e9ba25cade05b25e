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
  /** Whether the worker is starting, serving, or gone (`inline`: none, or it failed; `note` says why when one was wanted). */
  readonly mode: 'starting' | 'worker' | 'inline'
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
  close(): Promise<void>
  /** The worker thread, when there is one (tests stop it to check the inline takeover). */
  readonly thread?: Worker
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

function inlinePreparer(spec: PrepSpec, items: PrepItem[], arrays: ArrayStore | null, note: string | null, enc: TextEncoder | null): BatchPreparer {
  const prep = makeBatchPreparer(spec, enc)
  const counts = { worker: 0, here: 0 }
  return {
    counts,
    need: (batch) => batch,
    store: (bytes) => (arrays ? arrays.putAsync(bytes) : Promise.reject(new AppError('INTERNAL', 'no array store was given to the preparer'))),
    mode: 'inline',
    note,
    ready: Promise.resolve(),
    prepare: (start, end) => {
      try {
        counts.here++
        return Promise.resolve(prep(items.slice(start, end)))
      } catch (e) {
        return Promise.reject(e)
      }
    },
    close: () => Promise.resolve(),
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
 * Starts a preparation worker for `spec` ahead of the item list, so that it boots (~50 ms bundled,
 * ~170 ms from source through tsx) while the caller hashes the dataset and creates the session, and
 * is ready, with the first batches prepared, when the first batch is needed. Requests queue for it
 * from the start; a batch needed before the worker has taken it (while it starts, or when a slow batch
 * holds it up) is prepared on the calling thread instead (`need`), so the caller never waits for a
 * worker that has not begun, and no batch is prepared twice. `ready` settles when the worker serves,
 * or has failed to start (then everything is inline and `note` says why). The worker receives the item
 * list once (only the fields preparation reads), so a request is two numbers: measured, posting 32
 * items per batch cost ~9 µs per item. Errors thrown while preparing (an unreadable image, an empty
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
  let state: 'starting' | 'worker' | 'inline' = w ? 'starting' : 'inline'
  let note: string | null = startError
  let closing = false
  let inline: BatchPreparer | null = null
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  if (!w) markReady()
  // A dead or failed worker leaves everything inline; its unanswered requests are redone inline, so no
  // batch is lost to a worker crash.
  const die = (why: string): void => {
    if (state === 'inline' || closing) return
    state = 'inline'
    note = why
    markReady()
    const left = [...pending.values()]
    pending.clear()
    for (const p of left) {
      if (p.batch) counts.here++
      p.redo(inline!).then(p.resolve, p.reject)
    }
    void w?.terminate().catch(() => undefined)
  }
  w?.on('message', (m: Answer | { type: 'ready' } | { type: 'init-error'; message: string }) => {
    if (m.type === 'ready') {
      if (state === 'starting') state = 'worker'
      markReady()
      return
    }
    if (m.type === 'init-error') {
      die(`preparation worker failed to initialise (${m.message}); preparing inline`)
      return
    }
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.type === 'done' && m.feeds) counts.worker++
    if (m.type === 'done') p.resolve(m.feeds ?? m.stored)
    else p.reject(new AppError(m.code, m.message))
  })
  w?.on('error', (e) => die(`preparation worker failed (${e.message}); preparing inline`))
  w?.on('exit', (code) => die(`preparation worker exited with code ${code}; preparing inline`))
  const stop = async (): Promise<void> => {
    closing = true
    markReady()
    for (const p of pending.values()) p.reject(new AppError('CANCELLED', 'batch preparation stopped'))
    pending.clear()
    await w?.terminate().catch(() => undefined)
  }
  return {
    ...(w ? { thread: w } : {}),
    cancel: () => void stop(),
    begin(allItems, arrays, enc) {
      const items = prepItems(allItems)
      // Built before anything goes to the worker, so a tokenizer that cannot load fails here, as it would without a worker.
      const here = inlinePreparer(spec, items, arrays, null, enc)
      inline = here
      if (!w) return { ...here, note }
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
          if (!p || Atomics.compareExchange(claims, id! % CLAIM_SLOTS, CLAIM_OPEN, CLAIM_CALLER) !== CLAIM_OPEN) return batch
          pending.delete(id!)
          counts.here++
          p.redo(here).then(p.resolve, p.reject)
          return batch
        },
        store(bytes) {
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
