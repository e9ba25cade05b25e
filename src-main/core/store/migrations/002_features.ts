import type { Migration } from '../migration'

/**
 * Feature cache: one row per feature set (keyed by everything that determines the features) and one
 * row per finished batch, whose pooled [count, L, D] float32 bytes live in the content-addressed array
 * store. A set is 'complete' only when every batch row exists; a crash or cancel leaves 'partial'.
 */
const m: Migration = {
  version: 2,
  name: 'features',
  up(db) {
    db.exec(`
      CREATE TABLE feature_sets (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,           -- sha256 of the canonical JSON of model/dataset/layers/pool/prep/dtype
        model_id TEXT,                      -- models.id when registered, else NULL
        model_path TEXT NOT NULL,
        model_sha256 TEXT NOT NULL,
        dataset_path TEXT NOT NULL,
        dataset_sha256 TEXT NOT NULL,
        modality TEXT NOT NULL,
        layers TEXT NOT NULL,               -- JSON array of tensor names, in order
        pool TEXT NOT NULL,                 -- 'cls' | 'mean' | 'last'
        preprocessing TEXT NOT NULL,        -- JSON
        dtype TEXT NOT NULL,                -- 'float32'
        n INTEGER NOT NULL,
        dim INTEGER,                        -- known after the first batch
        batch_size INTEGER NOT NULL,
        n_batches INTEGER NOT NULL,
        ep TEXT,
        skipped_eps TEXT NOT NULL DEFAULT '[]', -- JSON [{ep, reason}]
        state TEXT NOT NULL,                -- 'partial' | 'complete'
        source TEXT NOT NULL DEFAULT 'extract', -- 'extract' | 'import'
        created_at TEXT NOT NULL,
        finished_at TEXT,
        seconds REAL NOT NULL DEFAULT 0     -- compute time summed over runs
      );
      CREATE TABLE feature_batches (
        feature_set_id TEXT NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
        batch_index INTEGER NOT NULL,
        start INTEGER NOT NULL,
        count INTEGER NOT NULL,
        array_sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (feature_set_id, batch_index)
      );
      CREATE INDEX feature_batches_array ON feature_batches(array_sha256);
    `)
  },
}
export default m
