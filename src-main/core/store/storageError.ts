import { AppError } from '../../common/errors'

/**
 * Turns a failed write to the workspace (Node fs errno codes, better-sqlite3 result codes) into the
 * sentence a user can act on: disk full, file-size limit, read-only. Returns null for anything else,
 * which stays an internal failure. UNAVAILABLE: the environment is at fault, not the input or the app.
 */
export function storageError(file: string, e: unknown): AppError | null {
  if (e instanceof AppError) return null
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  const msg = e instanceof Error ? e.message : String(e)
  const kept = 'finished work is kept; run it again afterwards'
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL')
    return new AppError('UNAVAILABLE', `${file}: no space left on the device (disk full); free some space (${kept})`)
  if (code === 'EFBIG') return new AppError('UNAVAILABLE', `${file}: the file-size limit of this process was reached (EFBIG); raise it (ulimit -f) (${kept})`)
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code.startsWith('SQLITE_READONLY'))
    return new AppError('UNAVAILABLE', `${file}: the workspace is read-only (${code}); choose a writable workspace folder`)
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return new AppError('UNAVAILABLE', `${file}: the disk reported a write error (${code}: ${msg}) (${kept})`)
  return null
}
