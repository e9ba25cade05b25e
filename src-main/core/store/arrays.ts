import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../common/errors'
import { storageError } from './storageError'

/**
 * Content-addressed array files: `arrays/ab/abcdef....bin`, named by the SHA-256 of their bytes.
 * A write goes to a temporary file that is fsynced and renamed into place, so a crash leaves either
 * the whole file or none; a reader re-hashes on `verify` to detect bit rot or torn copies.
 */
export class ArrayStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('INTERNAL', `bad array hash ${sha256}`)
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.bin`)
  }

  /** Stores bytes and returns their hash; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): { sha256: string; bytes: number } {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex')
    const dest = this.pathOf(sha256)
    if (fs.existsSync(dest) && fs.statSync(dest).size === bytes.byteLength) return { sha256, bytes: bytes.byteLength }
    const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true })
      const fd = fs.openSync(tmp, 'w')
      try {
        fs.writeSync(fd, bytes)
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      fs.renameSync(tmp, dest)
    } catch (e) {
      // A half-written temporary file on a full disk only takes the space the user is trying to free.
      fs.rmSync(tmp, { force: true })
      throw storageError(dest, e) ?? e
    }
    return { sha256, bytes: bytes.byteLength }
  }

  /**
   * `put` with the fsync — the slow part, hundreds of microseconds — handed to libuv's thread pool, so it
   * proceeds while the caller's thread computes (for instance inside a blocking session.run). Hashing and
   * the write itself stay synchronous: both are short, and keeping them here means one pool round trip.
   * Same guarantees as `put`: the file appears under its name only once its bytes are durable.
   */
  async putAsync(bytes: Uint8Array): Promise<{ sha256: string; bytes: number }> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex')
    const dest = this.pathOf(sha256)
    if (fs.existsSync(dest) && fs.statSync(dest).size === bytes.byteLength) return { sha256, bytes: bytes.byteLength }
    const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true })
      const fd = fs.openSync(tmp, 'w')
      try {
        fs.writeSync(fd, bytes)
        await new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())))
      } finally {
        fs.closeSync(fd)
      }
      fs.renameSync(tmp, dest)
    } catch (e) {
      fs.rmSync(tmp, { force: true })
      throw storageError(dest, e) ?? e
    }
    return { sha256, bytes: bytes.byteLength }
  }

  has(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256))
  }

  get(sha256: string): Buffer {
    const p = this.pathOf(sha256)
    try {
      return fs.readFileSync(p)
    } catch {
      throw new AppError('NOT_FOUND', `${p}: cached array is missing`)
    }
  }

  /** True when the file exists, has the expected size and its bytes hash to its name. */
  verify(sha256: string, expectedBytes?: number): { ok: boolean; problem?: string } {
    const p = this.pathOf(sha256)
    if (!fs.existsSync(p)) return { ok: false, problem: 'missing' }
    const buf = fs.readFileSync(p)
    if (expectedBytes !== undefined && buf.byteLength !== expectedBytes) return { ok: false, problem: `size ${buf.byteLength} != ${expectedBytes}` }
    const h = crypto.createHash('sha256').update(buf).digest('hex')
    return h === sha256 ? { ok: true } : { ok: false, problem: 'hash mismatch' }
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
