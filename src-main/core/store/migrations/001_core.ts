import type { Migration } from '../migration'

/** Registry of models, datasets and jobs, plus the file-hash cache and key/value settings. */
const m: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,            -- 'onnx-folder' | 'onnx-file'
        modality TEXT NOT NULL,          -- 'vision' | 'text' | 'unknown'
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}', -- JSON object: family, size, mixture, ...
        capabilities TEXT NOT NULL DEFAULT '{}', -- JSON object: name -> number
        info TEXT NOT NULL DEFAULT '{}', -- JSON: inputs/outputs summary
        added_at TEXT NOT NULL
      );
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,            -- 'captions-folder' | 'jsonl' | 'csv' | 'txt' | 'image-folder'
        n INTEGER NOT NULL,
        has_images INTEGER NOT NULL,
        has_text INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        info TEXT NOT NULL DEFAULT '{}',
        added_at TEXT NOT NULL
      );
      CREATE TABLE file_hashes (
        path TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        params TEXT NOT NULL,
        state TEXT NOT NULL,             -- 'queued' | 'running' | 'done' | 'failed' | 'cancelled'
        fraction REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        error TEXT,
        result TEXT,
        pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `)
  },
}
export default m
