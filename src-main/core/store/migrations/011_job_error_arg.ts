import type { Migration } from '../migration'

/**
 * The parameter a failed job failed over (`modelIds`, `layer`), kept beside its error sentence so the
 * job list can tell a form which field is at fault. Jobs that failed before this step have none.
 */
const m: Migration = {
  version: 11,
  name: 'job_error_arg',
  up(db) {
    db.exec('ALTER TABLE jobs ADD COLUMN error_arg TEXT')
  },
}
export default m
