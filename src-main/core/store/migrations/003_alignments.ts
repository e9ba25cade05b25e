import type { Migration } from '../migration'

/**
 * Alignment results: one row per (run, metric) with every parameter that determines the score, so a
 * stored number can be reproduced and an identical request is answered from `cache_key` instead of
 * recomputed. Inputs are identified by content: a file's SHA-256 or a feature set's id.
 */
const m: Migration = {
  version: 3,
  name: 'alignments',
  up(db) {
    db.exec(`
      CREATE TABLE alignments (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,               -- rows written by one align call share it
        cache_key TEXT NOT NULL,            -- sha256 of the canonical JSON of inputs + parameters
        created_at TEXT NOT NULL,
        input_a TEXT NOT NULL,              -- what the user named: file path or feature-set id
        input_b TEXT NOT NULL,
        input_a_kind TEXT NOT NULL,         -- 'file' | 'feature_set'
        input_b_kind TEXT NOT NULL,
        input_a_sha256 TEXT NOT NULL,       -- file SHA-256, or the feature set id for feature sets
        input_b_sha256 TEXT NOT NULL,
        metric TEXT NOT NULL,
        k INTEGER NOT NULL,
        prep TEXT NOT NULL,
        q REAL NOT NULL,
        layers_mode TEXT NOT NULL,          -- 'max' | 'max+concat'
        rbf_sigma REAL NOT NULL,
        n INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        bootstrap INTEGER NOT NULL,         -- resamples (0 = none)
        permutations INTEGER NOT NULL,      -- permutations (0 = none)
        ep TEXT NOT NULL,                   -- execution provider that ran the kernels
        seconds REAL NOT NULL,              -- compute time of the whole run
        score REAL NOT NULL,
        layer_a INTEGER,                    -- best pair (-1 = concatenation), NULL for 2-D or no pair > 0
        layer_b INTEGER,
        matrix TEXT,                        -- JSON L_A x L_B scores, NULL for 2-D
        ci_low REAL,
        ci_high REAL,
        null_stats TEXT,                    -- JSON {r, mean, sd, p_value} or NULL
        chance REAL NOT NULL,               -- mutual_knn chance level k/(N-1)
        undefined_reason TEXT
      );
      CREATE INDEX alignments_cache_key ON alignments(cache_key);
      CREATE INDEX alignments_inputs ON alignments(input_a_sha256, input_b_sha256);
      CREATE INDEX alignments_run ON alignments(run_id);
    `)
  },
}
export default m
