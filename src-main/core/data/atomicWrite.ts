import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError, badInput } from '../../common/errors'

/**
 * Every file the app writes at a user's request (`--out`, `--html`, `--report`, `features.export`)
 * goes through here: written in full to a temporary file created exclusively beside the target,
 * flushed, then renamed over it, so an interrupted write leaves the previous file whole (never a
 * truncated one), and an existing file is replaced only when the caller says so.
 */
export interface WriteTarget {
  /** Replace an existing file (`--force`, API `overwrite: true`). */
  overwrite?: boolean
  /** How the caller allows overwriting, for the refusal: "pass --force" or "pass overwrite: true". */
  forceHint?: string
  /** Create a missing folder (else a missing folder is refused). */
  mkdir?: boolean
}

const DEFAULT_HINT = 'pass --force to replace it'

/** An existing file that may not be replaced: CONFLICT (exit 2 in the CLI), so a UI can ask and retry. */
function exists(file: string, t: WriteTarget): AppError {
  return new AppError('CONFLICT', `${file}: already exists; ${t.forceHint ?? DEFAULT_HINT}`)
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only file system'
    case 'ENOSPC':
      return 'no space left on the device'
    case 'EISDIR':
      return 'is a folder'
    case 'ENOTDIR':
      return 'a part of the path is not a folder'
    default:
      return code ?? (e instanceof Error ? e.message : String(e))
  }
}

/**
 * Checks where a file is to be written before any long work: the folder exists (or, with `mkdir`, can
 * be created) and can be written,
 * the target is not a folder, and it does not exist unless overwriting is allowed. Returns the
 * absolute path. The write itself checks again (the file system may change meanwhile).
 */
export function checkWriteTarget(file: string, t: WriteTarget = {}): string {
  const abs = path.resolve(file)
  let st: fs.Stats | null = null
  try {
    st = fs.statSync(abs)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw badInput(file, 'cannot write: a part of the path is not a folder')
  }
  if (st?.isDirectory()) throw badInput(file, 'is a folder; give a file name')
  if (st && !st.isFile()) throw badInput(file, 'exists and is not a regular file')
  if (st && !t.overwrite) throw exists(file, t)
  const dir = path.dirname(abs)
  if (!t.mkdir && !fs.existsSync(dir)) throw badInput(file, `folder ${dir} does not exist`)
  try {
    if (t.mkdir) fs.mkdirSync(dir, { recursive: true })
    fs.accessSync(dir, fs.constants.W_OK)
  } catch (e) {
    throw badInput(file, `cannot write to folder ${dir} (${reason(e)})`)
  }
  if (!fs.statSync(dir).isDirectory()) throw badInput(file, `${dir} is not a folder`)
  return abs
}

/**
 * Calls `produce(tmp)` to fill a fresh temporary file beside `file` (created exclusively, so no
 * symlink planted there is followed), flushes it and moves it into place: without `overwrite` by a
 * hard link, which fails if the target appeared meanwhile (a rename where the file system has no
 * hard links); with it by a rename. The temporary file never outlives the call.
 */
export async function writeAtomically<T>(file: string, t: WriteTarget, produce: (tmp: string) => Promise<T> | T): Promise<T> {
  const abs = checkWriteTarget(file, t)
  const tmp = tempBeside(abs)
  try {
    try {
      fs.closeSync(fs.openSync(tmp, 'wx', 0o644))
    } catch (e) {
      throw badInput(file, `cannot write (${reason(e)})`)
    }
    const result = await produce(tmp)
    syncFile(tmp, file)
    commit(tmp, abs, file, t)
    return result
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/** Synchronous form for in-memory content: the bytes (or chunks, written in turn) become `file`. */
export function writeFileAtomically(file: string, content: string | Uint8Array | readonly Uint8Array[], t: WriteTarget = {}): string {
  const abs = checkWriteTarget(file, t)
  const tmp = tempBeside(abs)
  try {
    let fd: number
    try {
      fd = fs.openSync(tmp, 'wx', 0o644)
    } catch (e) {
      throw badInput(file, `cannot write (${reason(e)})`)
    }
    try {
      const chunks = typeof content === 'string' ? [Buffer.from(content)] : content instanceof Uint8Array ? [content] : content
      for (const c of chunks) {
        let off = 0
        while (off < c.byteLength) off += fs.writeSync(fd, c, off, c.byteLength - off)
      }
      fs.fsyncSync(fd)
    } catch (e) {
      throw badInput(file, `cannot write (${reason(e)})`)
    } finally {
      fs.closeSync(fd)
    }
    commit(tmp, abs, file, t)
    return abs
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/** A hidden, unpredictable name in the target's folder (same file system, so the rename is atomic). */
function tempBeside(abs: string): string {
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`)
}

function syncFile(tmp: string, file: string): void {
  try {
    const fd = fs.openSync(tmp, 'r+')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch (e) {
    throw badInput(file, `cannot write (${reason(e)})`)
  }
}

function commit(tmp: string, abs: string, file: string, t: WriteTarget): void {
  try {
    if (t.overwrite) fs.renameSync(tmp, abs)
    else {
      try {
        fs.linkSync(tmp, abs)
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EEXIST') throw e
        // No hard links here (FAT, some network shares): the pre-check above is all there is.
        if (fs.existsSync(abs)) throw Object.assign(new Error('exists'), { code: 'EEXIST' })
        fs.renameSync(tmp, abs)
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(file, t)
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw badInput(file, 'is a folder; give a file name')
    throw badInput(file, `cannot write (${reason(e)})`)
  }
  syncDir(path.dirname(abs))
}

/** Makes the rename durable; not every platform can open a folder for fsync, which is then skipped. */
function syncDir(dir: string): void {
  let fd: number | null = null
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Windows cannot fsync a folder; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd)
  }
}
