import type { Migration } from '../migration'

/** Colour-experiment runs: the full result document (per-layer scores, embeddings) and its parameters. */
const m: Migration = {
  version: 7,
  name: 'colour',
  up(db) {
    db.exec(`
      CREATE TABLE colour_runs (
        id TEXT PRIMARY KEY,
        params TEXT NOT NULL,   -- JSON: models, image folder, permutations, seed, k
        result TEXT NOT NULL,   -- JSON: the colour experiment result
        seconds REAL NOT NULL,
        created_at TEXT NOT NULL
      );
    `)
  },
}
export default m
