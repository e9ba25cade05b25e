import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { AppError, badInput } from '../../common/errors'
import { MIGRATIONS } from './migrations/index'
import type { Migration } from './migration'
import { ArrayStore } from './arrays'
import { storageError } from './storageError'

export const DB_FILE = 'workspace.sqlite'

export interface OpenOptions {
  /** Open without creating or migrating; fails if the database does not exist. */
  readonly?: boolean
  /** Override the migration list (tests). */
  migrations?: Migration[]
}

/**
 * A workspace directory: one SQLite database (WAL) plus content-addressed array files.
 * Many processes may open the same workspace: WAL lets readers proceed while one writer holds the
 * lock, and the busy timeout makes a second writer wait instead of failing.
 */
export class Workspace {
  readonly dir: string
  readonly db: Database.Database
  readonly arrays: ArrayStore

  private constructor(dir: string, db: Database.Database) {
    this.dir = dir
    this.db = db
    this.arrays = new ArrayStore(path.join(dir, 'arrays'))
  }

  static open(dir: string, opts: OpenOptions = {}): Workspace {
    const abs = path.resolve(dir)
    const dbPath = path.join(abs, DB_FILE)
    if (opts.readonly) {
      if (!fs.existsSync(dbPath)) throw badInput(abs, 'no workspace database here')
    } else {
      try {
        fs.mkdirSync(abs, { recursive: true })
      } catch (e) {
        throw badInput(abs, `cannot create the workspace folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
      }
      if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) throw badInput(abs, 'is a file, not a workspace folder')
    }
    checkNotTruncated(dbPath)
    let db: Database.Database
    try {
      db = new Database(dbPath, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly })
    } catch (e) {
      throw openError(dbPath, e)
    }
    try {
      db.pragma('busy_timeout = 10000')
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL')
        db.pragma('synchronous = NORMAL')
        db.pragma('foreign_keys = ON')
        migrate(db, opts.migrations ?? MIGRATIONS)
      }
    } catch (e) {
      db.close()
      throw openError(dbPath, e)
    }
    return new Workspace(abs, db)
  }

  /** Runs fn in an IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlock). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number
  }

  getSetting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

function migrate(db: Database.Database, migrations: Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version)
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.version === sorted[i - 1]!.version) throw new Error(`duplicate migration version ${sorted[i]!.version}`)
  }
  const current = db.pragma('user_version', { simple: true }) as number
  const latest = sorted.length ? sorted[sorted.length - 1]!.version : 0
  if (current > latest) {
    throw new AppError('BAD_INPUT', `workspace schema version ${current} is newer than this app understands (${latest}); update Platonic Lab`)
  }
  for (const m of sorted) {
    if (m.version <= current) continue
    db.transaction(() => {
      // Re-read under the write lock: another process opening the same new workspace may have applied it.
      if ((db.pragma('user_version', { simple: true }) as number) >= m.version) return
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    }).immediate()
  }
}

const DAMAGED_HINT = 'nothing was changed; restore it from a backup, or move the workspace folder aside and start a new one (features can be extracted again)'

/**
 * A database file shorter than its own header says (a truncated copy or an interrupted transfer) is
 * refused before SQLite opens it, so nothing is written into it. The header (sqlite.org/fileformat.html,
 * 1.3) holds the page size at offset 16 (1 meaning 65536) and, valid when the change counter at 24
 * equals the "version-valid-for" number at 92, the database size in pages at 28.
 */
function checkNotTruncated(dbPath: string): void {
  let fd: number
  try {
    fd = fs.openSync(dbPath, 'r')
  } catch {
    return // missing (a new workspace) or unreadable: SQLite says which
  }
  try {
    const size = fs.fstatSync(fd).size
    if (size === 0) return
    const head = Buffer.alloc(100)
    const got = fs.readSync(fd, head, 0, 100, 0)
    if (got < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\0') return
    const raw = head.readUInt16BE(16)
    const pageSize = raw === 1 ? 65536 : raw
    const pages = head.readUInt32BE(28)
    if (head.readUInt32BE(24) !== head.readUInt32BE(92) || pages === 0) return
    if (size < pages * pageSize) throw badInput(dbPath, `the workspace database is truncated (${size} bytes, its header says ${pages * pageSize}); ${DAMAGED_HINT}`)
  } finally {
    fs.closeSync(fd)
  }
}

function openError(dbPath: string, e: unknown): AppError {
  const code = (e as { code?: string }).code ?? ''
  const msg = e instanceof Error ? e.message : String(e)
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(msg)) return badInput(dbPath, 'is not a Platonic Lab workspace (not an SQLite database)')
  if (code.startsWith('SQLITE_CORRUPT') || /malformed/i.test(msg)) return badInput(dbPath, `the workspace database is damaged (${msg}); ${DAMAGED_HINT}`)
  const env = storageError(dbPath, e)
  if (env) return env
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || /readonly|read-only/i.test(msg)) return badInput(dbPath, `cannot open the workspace for writing (${msg})`)
  if (code === 'SQLITE_FULL' || /disk.*full/i.test(msg)) return badInput(dbPath, 'the disk is full')
  if (code === 'SQLITE_BUSY') return new AppError('CONFLICT', `${dbPath}: the workspace is busy (another process holds the write lock)`)
  if (e instanceof AppError) return e
  return new AppError('INTERNAL', `${dbPath}: ${msg}`)
}
