import type { Migration } from '../migration'

/**
 * Imported mixture tables (recipe tables, long-form grids, per-source category tables). The parsed
 * table is stored whole as JSON: these are tens of rows, and keeping the parse means a later edit of
 * the file does not silently change a stored analysis (the SHA-256 tells the two apart).
 */
const m: Migration = {
  version: 5,
  name: 'mixtures',
  up(db) {
    db.exec(`
      CREATE TABLE mixture_tables (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,            -- 'csv' | 'json' | 'xlsx'
        kind TEXT NOT NULL,              -- 'grid' | 'recipes' | 'sources'
        columns TEXT NOT NULL,           -- JSON: column names in file order
        numeric TEXT NOT NULL,           -- JSON: numeric column names
        layout TEXT NOT NULL,            -- JSON: MixtureLayout (detected roles of the columns)
        rows TEXT NOT NULL,              -- JSON: row objects
        row_numbers TEXT NOT NULL,       -- JSON: where each row sits in the source file
        decimals TEXT NOT NULL,          -- JSON: printed decimals per numeric column
        n_rows INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (path, sha256)
      );
    `)
  },
}
export default m
