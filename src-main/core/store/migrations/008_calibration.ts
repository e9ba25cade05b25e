import type { Migration } from '../migration'

/**
 * Calibrated alignment: the aggregation-aware permutation null of each stored score and, for scores
 * written by a sweep, the Benjamini–Hochberg adjusted p-value across that sweep's pairs.
 */
const m: Migration = {
  version: 8,
  name: 'calibration',
  up(db) {
    db.exec(`
      ALTER TABLE alignments ADD COLUMN calibrate INTEGER NOT NULL DEFAULT 0;  -- permutations K (0 = none)
      ALTER TABLE alignments ADD COLUMN alpha REAL;                            -- level of the threshold, NULL without calibration
      ALTER TABLE alignments ADD COLUMN calibration TEXT;                      -- JSON CalibrationStats or NULL
      ALTER TABLE alignments ADD COLUMN p_adjusted REAL;                       -- BH-adjusted p over the last sweep's pairs, or NULL
    `)
  },
}
export default m
