import type { Migration } from '../migration'

/**
 * A checksum per stored alignment result (SHA-256 of the values that make it up), so a cached score
 * is verified before it is served again. Rows stored before this step have none and are recomputed
 * when asked for.
 */
const m: Migration = {
  version: 10,
  name: 'alignment_checksums',
  up(db) {
    db.exec('ALTER TABLE alignments ADD COLUMN checksum TEXT')
  },
}
export default m
