import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../common/errors'
import { storageError } from './storageError'

/**
 * Content-addressed array files: `arrays/ab/abcdef....bin`, named by the SHA-256 of their bytes.
 * A write goes to a temporary file that is fsynced and renamed into place, so a crash leaves either
 * the whole file or none; every read re-hashes (`read`, `get`, `verify`) to detect bit rot or torn copies.
 */
/** A write in progress: the temporary file, open until it is durable (`fd` null once closed or when nothing to write). */
interface Pending {
  stored: { sha256: string; bytes: number }
  dest: string
  tmp: string
  fd: number | null
}

export class ArrayStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('INTERNAL', `bad array hash ${sha256}`)
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.bin`)
  }

  /** Stores bytes and returns their hash; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): { sha256: string; bytes: number } {
    const w = this.begin(bytes)
    if (w.fd === null) return w.stored
    try {
      fs.fsyncSync(w.fd)
    } catch (e) {
      this.abort(w, e)
    }
    return this.commit(w)
  }

  /**
   * `put` with the fsync — the slow part, hundreds of microseconds — handed to libuv's thread pool, so it
   * proceeds while the caller's thread computes (for instance inside a blocking session.run). Hashing and
   * the write itself stay synchronous: both are short, and keeping them here means one pool round trip.
   * Same guarantees as `put`: the file appears under its name only once its bytes are durable.
   */
  async putAsync(bytes: Uint8Array): Promise<{ sha256: string; bytes: number }> {
    const w = this.begin(bytes)
    if (w.fd === null) return w.stored
    const fd = w.fd
    try {
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())))
    } catch (e) {
      this.abort(w, e)
    }
    return this.commit(w)
  }

  /** Hashes, and unless the file exists already, writes the bytes to a temporary file left open for the fsync. */
  private begin(bytes: Uint8Array): Pending {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex')
    const dest = this.pathOf(sha256)
    const stored = { sha256, bytes: bytes.byteLength }
    if (fs.existsSync(dest) && fs.statSync(dest).size === bytes.byteLength) return { stored, dest, tmp: '', fd: null }
    const w: Pending = { stored, dest, tmp: `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`, fd: null }
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true })
      w.fd = fs.openSync(w.tmp, 'w')
      fs.writeSync(w.fd, bytes)
    } catch (e) {
      this.abort(w, e)
    }
    return w
  }

  /** Closes and renames the durable temporary file into place. */
  private commit(w: Pending): { sha256: string; bytes: number } {
    try {
      fs.closeSync(w.fd!)
      w.fd = null
      fs.renameSync(w.tmp, w.dest)
    } catch (e) {
      this.abort(w, e)
    }
    return w.stored
  }

  private abort(w: Pending, e: unknown): never {
    if (w.fd !== null) {
      try {
        fs.closeSync(w.fd)
      } catch {
        // already reporting the first failure
      }
    }
    // A half-written temporary file on a full disk only takes the space the user is trying to free.
    fs.rmSync(w.tmp, { force: true })
    throw storageError(w.dest, e) ?? e
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256))
  }

  /**
   * The bytes of a stored array, verified: the file exists, has `expectedBytes` (when given) and hashes
   * to its name. SHA-256 costs about as much as reading the file, and a
   * damaged cache must never be handed out as a result.
   */
  read(sha256: string, expectedBytes?: number): { ok: true; bytes: Buffer } | { ok: false; problem: string } {
    const p = this.pathOf(sha256)
    let buf: Buffer
    try {
      buf = fs.readFileSync(p)
    } catch (e) {
      return { ok: false, problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` }
    }
    if (expectedBytes !== undefined && buf.byteLength !== expectedBytes) return { ok: false, problem: `size ${buf.byteLength} != ${expectedBytes}` }
    const h = crypto.createHash('sha256').update(buf).digest('hex')
    return h === sha256 ? { ok: true, bytes: buf } : { ok: false, problem: 'hash mismatch' }
  }

  /** `read` that throws: NOT_FOUND naming the file when it is missing or fails verification. */
  get(sha256: string, expectedBytes?: number): Buffer {
    const r = this.read(sha256, expectedBytes)
    if (!r.ok) throw new AppError('NOT_FOUND', `${this.pathOf(sha256)}: cached array is ${r.problem === 'missing' ? 'missing' : `damaged (${r.problem})`}`)
    return r.bytes
  }

  /** True when the file exists, has the expected size and its bytes hash to its name. */
  verify(sha256: string, expectedBytes?: number): { ok: boolean; problem?: string } {
    const r = this.read(sha256, expectedBytes)
    return r.ok ? { ok: true } : { ok: false, problem: r.problem }
  }

  remove(sha256: string): void {
    fs.rmSync(this.pathOf(sha256), { force: true })
  }

  /** Every stored hash (for garbage collection and verification). */
  list(): string[] {
    if (!fs.existsSync(this.root)) return []
    const out: string[] = []
    for (const d of fs.readdirSync(this.root)) {
      const sub = path.join(this.root, d)
      if (!fs.statSync(sub).isDirectory()) continue
      for (const f of fs.readdirSync(sub)) if (f.endsWith('.bin')) out.push(f.slice(0, -4))
    }
    return out
  }
}
