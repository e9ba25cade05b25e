import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../common/errors'
import type { TextEncoder } from '../data/text'
import type { ArrayStore } from '../store/arrays'
import { makeBatchPreparer, type PlainFeed, type PrepItem, type PrepSpec } from './prepare'

/**
 * Prepares batches in a worker thread, so that decoding, preprocessing and tokenising batch b+1 overlap
 * session.run of batch b (onnxruntime-node's run occupies the calling thread until it returns). Where
 * no worker can start, or one dies, the same code runs inline: a batch is never lost, only slower.
 */
export interface BatchPreparer {
  /** Where batches are prepared now (`starting`: inline while the worker starts), and why inline when a worker was wanted. */
  readonly mode: 'starting' | 'worker' | 'inline'
  readonly note: string | null
  /** Settles once the worker serves requests, or has failed to start (or at once without a worker). */
  readonly ready: Promise<void>
  /** Prepares items [start, end) of the list given to `openPreparer`; the request is posted at once. */
  prepare(start: number, end: number): Promise<PlainFeed[]>
  /**
   * Stores `bytes` in the array store given to `openPreparer` (hash, write, fsync, rename) and resolves
   * once the file is durable.
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

function startWorker(spec: PrepSpec, items: PrepItem[], arraysRoot: string | null): Worker {
  const entry = workerEntry()
  if (!entry.source) return new Worker(entry.file, { workerData: { spec, items, arraysRoot } })
  // Node 20 does not pass `--import tsx` hooks on to workers, so the source entry is loaded through
  // tsx's programmatic API from a tiny plain-JS bootstrap.
  const api = pathToFileURL(tsxEsmApi()).href
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(pathToFileURL(entry.file).href)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(code, { eval: true, workerData: { spec, items, arraysRoot } })
}

function inlinePreparer(spec: PrepSpec, items: PrepItem[], arrays: ArrayStore | null, note: string | null, enc: TextEncoder | null): BatchPreparer {
  const prep = makeBatchPreparer(spec, enc)
  return {
    store: (bytes) => (arrays ? arrays.putAsync(bytes) : Promise.reject(new AppError('INTERNAL', 'no array store was given to the preparer'))),
    mode: 'inline',
    note,
    ready: Promise.resolve(),
    prepare: (start, end) => {
      try {
        return Promise.resolve(prep(items.slice(start, end)))
      } catch (e) {
        return Promise.reject(e)
      }
    },
    close: () => Promise.resolve(),
  }
}

/**
 * A preparer for `spec` over `items`. With `worker`, a worker thread starts in the background and
 * batches are prepared inline until it is ready (starting takes ~50 ms bundled, ~170 ms from source
 * through tsx, longer than a small job), then in the worker; `ready` settles when that switch happens
 * or the worker has failed to start (then everything stays inline and `note` says why). The worker
 * receives the item list once (only the fields preparation reads), so a request is two numbers:
 * measured, posting 32 items per batch cost ~9 µs per item. Errors thrown while preparing (an
 * unreadable image, an empty caption) reach the caller with the same code and message either way.
 */
export function openPreparer(spec: PrepSpec, allItems: readonly PrepItem[], worker: boolean, arrays: ArrayStore | null = null, enc: TextEncoder | null = null): BatchPreparer {
  const items = allItems.map((it) => ({ id: it.id, image: it.image, caption: it.caption }))
  // Built first, so a tokenizer that cannot load fails here, as it would without a worker. `enc`, when
  // the caller has the tokenizer loaded already, saves loading it again on this thread.
  const inline = inlinePreparer(spec, items, arrays, null, enc)
  if (!worker) return inline
  let w: Worker
  try {
    w = startWorker(spec, items, arrays?.root ?? null)
  } catch (e) {
    return { ...inline, note: `preparation worker did not start (${e instanceof Error ? e.message : String(e)})` }
  }

  // What each unanswered request would do inline, so a dead worker's requests can be redone.
  const pending = new Map<number, { redo: (p: BatchPreparer) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let nextId = 0
  let state: 'starting' | 'worker' | 'inline' = 'starting'
  let note: string | null = null
  let closing = false
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  // A dead or failed worker leaves everything inline; its unanswered requests are redone inline, so no
  // batch is lost to a worker crash.
  const die = (why: string): void => {
    if (state === 'inline' || closing) return
    state = 'inline'
    note = why
    markReady()
    const left = [...pending.values()]
    pending.clear()
    for (const p of left) p.redo(inline).then(p.resolve, p.reject)
    void w.terminate().catch(() => undefined)
  }
  w.on('message', (m: Answer | { type: 'ready' } | { type: 'init-error'; message: string }) => {
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
    if (m.type === 'done') p.resolve(m.feeds ?? m.stored)
    else p.reject(new AppError(m.code, m.message))
  })
  w.on('error', (e) => die(`preparation worker failed (${e.message}); preparing inline`))
  w.on('exit', (code) => die(`preparation worker exited with code ${code}; preparing inline`))
  return {
    thread: w,
    ready,
    get mode() {
      return state
    },
    get note() {
      return note
    },
    prepare(start, end) {
      if (state !== 'worker') return inline.prepare(start, end)
      const id = nextId++
      return new Promise<PlainFeed[]>((resolve, reject) => {
        pending.set(id, { redo: (p) => p.prepare(start, end), resolve: resolve as (v: unknown) => void, reject })
        w.postMessage({ id, start, end })
      })
    },
    store(bytes) {
      if (state !== 'worker') return inline.store(bytes)
      const id = nextId++
      // Copied, not transferred: the caller's bytes stay valid, and are stored inline if the worker dies first.
      return new Promise<{ sha256: string; bytes: number }>((resolve, reject) => {
        pending.set(id, { redo: (p) => p.store(bytes), resolve: resolve as (v: unknown) => void, reject })
        w.postMessage({ id, store: bytes })
      })
    },
    async close() {
      closing = true
      markReady()
      for (const p of pending.values()) p.reject(new AppError('CANCELLED', 'batch preparation stopped'))
      pending.clear()
      await w.terminate().catch(() => undefined)
    },
  }
}
