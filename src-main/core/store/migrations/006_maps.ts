import type { Migration } from '../migration'

/**
 * Stored representation maps: an item map (UMAP of one model layer over a dataset sample) with the
 * sampled dataset indices, 2-D coordinates and each item's nearest neighbours in the original space,
 * plus every parameter and seed that produced it.
 */
const m: Migration = {
  version: 6,
  name: 'maps',
  up(db) {
    db.exec(`
      CREATE TABLE maps (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,         -- sha256 of feature set + layer + sample + UMAP parameters
        feature_set TEXT NOT NULL,
        model_name TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        layer INTEGER NOT NULL,
        layer_name TEXT NOT NULL,
        n_total INTEGER NOT NULL,
        params TEXT NOT NULL,             -- JSON: sample {mode,size,seed}, nNeighbors, minDist, seed, epochs
        indices TEXT NOT NULL,            -- JSON dataset indices of the sampled items, ascending
        coords TEXT NOT NULL,             -- JSON [x0, y0, x1, y1, ...]
        knn_k INTEGER NOT NULL,
        knn TEXT NOT NULL,                -- JSON dataset indices of each item's knn_k neighbours (row-major)
        ep TEXT,
        seconds REAL NOT NULL,
        created_at TEXT NOT NULL
      );
    `)
  },
}
export default m
