import type Database from 'better-sqlite3'

/**
 * One numbered schema step. Versions are unique and applied in ascending order inside one
 * transaction each, so a workspace is always at a whole version (never half-migrated).
 */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}
