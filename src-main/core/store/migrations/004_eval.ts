import type { Migration } from '../migration'

/**
 * Imported evaluation files (one run per file, with provenance) and their per-question rows, from which
 * every MLE-Bench breakdown is derived. Deleting a run deletes its rows.
 */
const m: Migration = {
  version: 4,
  name: 'eval',
  up(db) {
    db.exec(`
      CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        harness TEXT NOT NULL,           -- 'lmms-eval' | 'vlmevalkit' | 'cambrian' | 'jsonl'
        shape TEXT NOT NULL,             -- 'samples-nested', 'samples-flat', 'xlsx', 'tsv', ...
        judge TEXT,                      -- VLMEvalKit judge from the file name, else NULL
        verdict TEXT NOT NULL,           -- 'reparse' | 'file'
        benchmark_file TEXT,             -- data.jsonl joined by row index, if any
        n INTEGER NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        imported_at TEXT NOT NULL,
        UNIQUE (sha256, model, verdict)
      );
      CREATE TABLE eval_rows (
        run_id TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        qid TEXT NOT NULL,
        bin TEXT NOT NULL,               -- '0-30' | '30-60' | '60-100'
        bin_label TEXT NOT NULL,
        question TEXT,
        choices TEXT,                    -- JSON array or NULL
        answer_letter TEXT NOT NULL,
        pred_raw TEXT NOT NULL,
        pred_letter TEXT,
        correct INTEGER NOT NULL,
        parsed INTEGER NOT NULL,
        rule TEXT,
        file_correct INTEGER,
        PRIMARY KEY (run_id, ord)
      );
      CREATE INDEX eval_rows_qid ON eval_rows(run_id, qid);
    `)
  },
}
export default m
