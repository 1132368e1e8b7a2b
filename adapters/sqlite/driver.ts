/** The SQLite driver over any engine: schema, ledger, store, outbox, inbox and snapshots in one file. */
import type { Driver } from '../../js/driver.ts';
import type { SqliteDatabase } from './engine.ts';
import { Gate } from './gate.ts';
import { type SqliteLedger, type SqliteLedgerOptions, sqliteLedger } from './ledger.ts';
import { inspect, migrate } from './schema.ts';
import { type SqliteStore, sqliteStore } from './store.ts';

/** Options of the SQLite driver. */
export interface SqliteDriverOptions extends SqliteLedgerOptions {
  /** How long a writer waits for another process's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** A SQLite driver: everything in one database, every append one transaction. */
export interface SqliteDriver extends Driver {
  readonly ledger: SqliteLedger;
  readonly store: SqliteStore;
  readonly database: SqliteDatabase;
  close(): void;
}

/** Opens the driver on an open database: sets WAL and the busy timeout, and migrates the schema. */
export function createSqliteDriver(
  db: SqliteDatabase,
  options: SqliteDriverOptions = {},
  owned = false,
): SqliteDriver {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  inspect(db); // before anything is changed: refuse a corrupt, foreign or newer file untouched
  db.exec('PRAGMA journal_mode = WAL'); // readers never block the writer; crash-safe with synchronous=NORMAL
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  const gate = new Gate(db);
  const store = sqliteStore(db, gate);
  const ledger = sqliteLedger(db, store, gate, options);
  let closed = false;
  return {
    name: 'sqlite',
    ledger,
    store,
    snapshots: store.snapshots,
    database: db,
    close(): void {
      if (closed) return;
      closed = true;
      ledger.close();
      if (owned) db.close();
    },
  };
}
