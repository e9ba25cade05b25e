/**
 * Who may run SQL on each workspace table: exactly one module per table (paths from the repository
 * root). Everything else calls that module's functions, so the queries, row shapes and invariants of a
 * table (checksums, resumable batches, job states) live in one file. Migrations (`store/migrations/`)
 * create and alter the tables and are exempt. test/core/store/tableOwners.test.ts scans the source and
 * fails on SQL that names a table outside its owner, or a table missing here.
 */
export const TABLE_OWNERS = {
  models: 'src-main/core/registry/models.ts',
  datasets: 'src-main/core/registry/datasets.ts',
  file_hashes: 'src-main/core/store/fileHash.ts',
  settings: 'src-main/core/store/workspace.ts',
  jobs: 'src-main/backend/jobStore.ts',
  feature_sets: 'src-main/core/features/store.ts',
  feature_batches: 'src-main/core/features/store.ts',
  alignments: 'src-main/core/align/resultsStore.ts',
  eval_runs: 'src-main/core/eval/evalStore.ts',
  eval_rows: 'src-main/core/eval/evalStore.ts',
  mixture_tables: 'src-main/core/mix/mixtureStore.ts',
  maps: 'src-main/core/maps/mapStore.ts',
  colour_runs: 'src-main/core/colour/colourRunStore.ts',
} as const satisfies Record<string, string>

export type TableName = keyof typeof TABLE_OWNERS

/**
 * Modules allowed SQL whose table name is computed rather than written out: the feature store asks
 * every table with an array-hash column whether it still refers to an array file before deleting it.
 */
export const SCHEMA_WIDE_SQL: readonly string[] = ['src-main/core/features/store.ts']
