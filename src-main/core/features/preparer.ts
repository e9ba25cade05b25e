import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../common/errors'
import type { ArrayStore } from '../store/arrays'
import { makeBatchPreparer, type PlainFeed, type PrepItem, type PrepSpec } from './prepare'

/**
 * Prepares batches in a worker thread, so that decoding, preprocessing and tokenising batch b+1 overlap
 * session.run of batch b (onnxruntime-node's run occupies the calling thread until it returns). Where
 * no worker can start, or one dies, the same code runs inline: a batch is never lost, only slower.
 */
export interface BatchPreparer {
  /** Where batches are prepared, and why inline when a worker was wanted. */
  readonly mode: 'worker' | 'inline'
  readonly note: string | null
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

function inlinePreparer(spec: PrepSpec, items: PrepItem[], arrays: ArrayStore | null, note: string | null): BatchPreparer {
  const prep = makeBatchPreparer(spec)
  return {
    store: (bytes) => (arrays ? arrays.putAsync(bytes) : Promise.reject(new AppError('INTERNAL', 'no array store was given to the preparer'))),
    mode: 'inline',
    note,
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
 * A preparer for `spec` over `items`: in a worker thread when `worker` is true and one starts, inline
 * otherwise. The worker receives the item list once (only the fields preparation reads), so a request
 * is two numbers: measured, posting 32 items per batch cost ~9 µs per item. Errors thrown while
 * preparing (an unreadable image, an empty caption) reach the caller with the same code and message
 * as inline.
 */
export async function openPreparer(spec: PrepSpec, allItems: readonly PrepItem[], worker: boolean, arrays: ArrayStore | null = null): Promise<BatchPreparer> {
  const items = allItems.map((it) => ({ id: it.id, image: it.image, caption: it.caption }))
  if (!worker) return inlinePreparer(spec, items, arrays, null)
  let w: Worker
  try {
    w = startWorker(spec, items, arrays?.root ?? null)
  } catch (e) {
    return inlinePreparer(spec, items, arrays, `preparation worker did not start (${e instanceof Error ? e.message : String(e)})`)
  }
  const started = await new Promise<string | null>((resolve) => {
    const onMessage = (m: { type: string; message?: string }): void => {
      cleanup()
      resolve(m.type === 'ready' ? null : `preparation worker failed to initialise (${m.message ?? m.type})`)
    }
    const onError = (e: Error): void => {
      cleanup()
      resolve(`preparation worker did not start (${e.message})`)
    }
    const onExit = (code: number): void => {
      cleanup()
      resolve(`preparation worker exited with code ${code} before starting`)
    }
    const cleanup = (): void => {
      w.off('message', onMessage)
      w.off('error', onError)
      w.off('exit', onExit)
    }
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', onExit)
  })
  if (started !== null) {
    await w.terminate().catch(() => undefined)
    return inlinePreparer(spec, items, arrays, started)
  }

  // What each unanswered request would do inline, so a dead worker's requests can be redone.
  const pending = new Map<number, { redo: (p: BatchPreparer) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let nextId = 0
  let fallback: BatchPreparer | null = null
  let note: string | null = null
  let closing = false
  // A dead worker's unanswered requests are prepared inline, so no batch is lost to a worker crash.
  const die = (why: string): void => {
    if (fallback || closing) return
    note = why
    fallback = inlinePreparer(spec, items, arrays, why)
    const left = [...pending.values()]
    pending.clear()
    for (const p of left) p.redo(fallback).then(p.resolve, p.reject)
  }
  w.on('message', (m: Answer) => {
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
    get mode() {
      return fallback ? 'inline' : 'worker'
    },
    get note() {
      return note
    },
    prepare(start, end) {
      if (fallback) return fallback.prepare(start, end)
      const id = nextId++
      return new Promise<PlainFeed[]>((resolve, reject) => {
        pending.set(id, { redo: (p) => p.prepare(start, end), resolve: resolve as (v: unknown) => void, reject })
        w.postMessage({ id, start, end })
      })
    },
    store(bytes) {
      if (fallback) return fallback.store(bytes)
      if (!arrays) return Promise.reject(new AppError('INTERNAL', 'no array store was given to the preparer'))
      const id = nextId++
      // Copied, not transferred: the caller's bytes stay valid, and are stored inline if the worker dies first.
      return new Promise<{ sha256: string; bytes: number }>((resolve, reject) => {
        pending.set(id, { redo: (p) => p.store(bytes), resolve: resolve as (v: unknown) => void, reject })
        w.postMessage({ id, store: bytes })
      })
    },
    async close() {
      closing = true
      for (const p of pending.values()) p.reject(new AppError('CANCELLED', 'batch preparation stopped'))
      pending.clear()
      await w.terminate().catch(() => undefined)
    },
  }
}
