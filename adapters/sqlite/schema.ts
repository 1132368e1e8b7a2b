/**
 * The SQLite schema, readable with the `sqlite3` tool: one row per event with its columns, the
 * payload and metadata as JSON; models as JSON; outbox, inbox, checkpoints and snapshots. Versioned:
 * migrations upgrade an older file in place, and a file from a newer version is refused.
 */
import { WhizbangError } from '../../js/mod.ts';
import type { SqliteDatabase } from './engine.ts';

/** Each entry upgrades the schema by one version (SQL statements, each ending with `;` at a line's end). */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema
  `CREATE TABLE whizbang_events (
     position       INTEGER PRIMARY KEY,
     tenant         TEXT    NOT NULL,
     stream_id      TEXT    NOT NULL,
     version        INTEGER NOT NULL,
     type           TEXT    NOT NULL,
     message_id     TEXT    NOT NULL,
     correlation_id TEXT    NOT NULL,
     causation_id   TEXT    NOT NULL,
     time           INTEGER NOT NULL,
     data           TEXT    NOT NULL,
     metadata       TEXT,
     UNIQUE (tenant, stream_id, version)
   );
   CREATE INDEX whizbang_events_by_type ON whizbang_events (type, position);
   CREATE TABLE whizbang_streams (
     tenant    TEXT    NOT NULL,
     stream_id TEXT    NOT NULL,
     version   INTEGER NOT NULL,
     PRIMARY KEY (tenant, stream_id)
   ) WITHOUT ROWID;
   CREATE TABLE whizbang_models (
     perspective TEXT    NOT NULL,
     tenant      TEXT    NOT NULL,
     id          TEXT    NOT NULL,
     model       TEXT    NOT NULL,
     version     INTEGER NOT NULL,
     position    INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL,
     PRIMARY KEY (perspective, tenant, id)
   ) WITHOUT ROWID;
   CREATE TABLE whizbang_checkpoints (
     perspective TEXT PRIMARY KEY,
     position    INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE whizbang_outbox (
     seq          INTEGER PRIMARY KEY,
     id           TEXT    NOT NULL UNIQUE,
     topic        TEXT    NOT NULL,
     envelope     TEXT    NOT NULL,
     attempts     INTEGER NOT NULL,
     enqueued_at  INTEGER NOT NULL,
     available_at INTEGER NOT NULL,
     last_error   TEXT
   );
   CREATE TABLE whizbang_inbox (
     tenant     TEXT    NOT NULL,
     message_id TEXT    NOT NULL,
     handled_at INTEGER NOT NULL,
     PRIMARY KEY (tenant, message_id)
   ) WITHOUT ROWID;
   CREATE TABLE whizbang_snapshots (
     kind           TEXT    NOT NULL,
     tenant         TEXT    NOT NULL,
     id             TEXT    NOT NULL,
     version        INTEGER NOT NULL,
     schema_version INTEGER NOT NULL,
     state          TEXT    NOT NULL,
     taken_at       INTEGER NOT NULL,
     PRIMARY KEY (kind, tenant, id)
   ) WITHOUT ROWID;`,
  // 2: the outbox keeps order per stream (the stream of each record, by `outboxStream`), its dead
  // letters wait to be replayed, and the inbox keeps what is left of an unfinished handling
  `ALTER TABLE whizbang_outbox ADD COLUMN stream TEXT NOT NULL DEFAULT '';
   UPDATE whizbang_outbox SET stream = CASE
     WHEN json_extract(envelope, '$.streamId') IS NULL
       THEN json_array(json_extract(envelope, '$.tenant'), NULL, topic)
     ELSE json_array(json_extract(envelope, '$.tenant'), json_extract(envelope, '$.streamId')) END;
   CREATE INDEX whizbang_outbox_stream ON whizbang_outbox (stream, seq);
   CREATE TABLE whizbang_dead_letters (
     seq          INTEGER PRIMARY KEY,
     id           TEXT    NOT NULL UNIQUE,
     stream       TEXT    NOT NULL,
     topic        TEXT    NOT NULL,
     envelope     TEXT    NOT NULL,
     attempts     INTEGER NOT NULL,
     enqueued_at  INTEGER NOT NULL,
     available_at INTEGER NOT NULL,
     last_error   TEXT    NOT NULL,
     dead_at      INTEGER NOT NULL
   );
   ALTER TABLE whizbang_inbox ADD COLUMN rest TEXT;`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/**
 * Looks at the file without changing it: the schema version it holds (0 for a new file), or a
 * clear error naming the file when it is not SQLite, belongs to another application, or is newer.
 */
export function inspect(db: SqliteDatabase): number {
  let found: number;
  let foreign: unknown;
  try {
    const hasSchema =
      db
        .prepare(
          "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'whizbang_schema'",
        )
        .get() !== undefined;
    found = hasSchema
      ? Number(db.prepare('SELECT max(version) AS v FROM whizbang_schema').get()?.v ?? 0)
      : 0;
    if (!hasSchema) {
      foreign = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'whizbang_%' AND name NOT LIKE 'sqlite_%' LIMIT 1",
        )
        .get()?.name;
    }
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"${db.name}" could not be opened as a Whizbang SQLite database: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Check that the path points at a SQLite file (or a new one) and that it is not corrupt; it was not changed.',
      { cause },
    );
  }
  if (foreign !== undefined) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"${db.name}" holds tables of another application (e.g. "${String(foreign)}") and no Whizbang schema. Give Whizbang a file of its own; nothing was changed.`,
    );
  }
  if (found > SCHEMA_VERSION) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"${db.name}" was written by a newer Whizbang (schema ${found}; this one knows ${SCHEMA_VERSION}). Upgrade Whizbang to open it; it was not changed.`,
    );
  }
  return found;
}

/**
 * Brings the database to `target` (default: the current schema), one transaction per step (by
 * default `BEGIN IMMEDIATE … COMMIT`; `transaction` for an engine with its own); returns the
 * version found.
 */
export function migrate(
  db: SqliteDatabase,
  target: number = SCHEMA_VERSION,
  transaction: (work: () => void) => void = (work) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      work();
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  },
): number {
  const found = inspect(db);
  db.exec('CREATE TABLE IF NOT EXISTS whizbang_schema (version INTEGER NOT NULL)');
  for (let v = found; v < target; v++) {
    transaction(() => {
      // another process may have migrated while we waited for the lock
      const now = Number(db.prepare('SELECT max(version) AS v FROM whizbang_schema').get()?.v ?? 0);
      if (now <= v) {
        db.exec(MIGRATIONS[v]!);
        db.prepare('INSERT INTO whizbang_schema (version) VALUES (?)').run(v + 1);
      }
    });
  }
  return found;
}
