/** The SQLite driver over any engine: schema, ledger, store, outbox, inbox and snapshots in one file. */
import { driverBoundary, limitsOf } from '../../js/kit/mod.ts';
import { type Driver, type LeaseStore, WhizbangError } from '../../js/mod.ts';
import type { SqliteDatabase } from './engine.ts';
import { isBusy, sqliteError } from './errors.ts';
import { Gate } from './gate.ts';
import { sqliteLeases } from './leases.ts';
import { type SqliteLedger, type SqliteLedgerOptions, sqliteLedger } from './ledger.ts';
import { inspect, migrate } from './schema.ts';
import { type SqliteStore, sqliteStore } from './store.ts';
import { modelWatch } from './watch.ts';

/** Options of the SQLite driver. */
export interface SqliteDriverOptions extends SqliteLedgerOptions {
  /** How long a writer waits for another process's lock, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** A SQLite driver: everything in one database, every append one transaction. */
export interface SqliteDriver extends Driver {
  /** The ledger, in `whizbang_events`. */
  readonly ledger: SqliteLedger;
  /** The perspective store, with the outbox, inbox, checkpoints and snapshots. */
  readonly store: SqliteStore;
  /** Leases for processes sharing background work on this file, in `whizbang_leases`. */
  readonly leases: LeaseStore;
  /** The open database (the engine's, behind one interface). */
  readonly database: SqliteDatabase;
  /** Closes the database (when the driver opened it). */
  close(): void;
}

/**
 * Runs `work`, again while the database is busy, until `timeoutMs` has passed. SQLite does not wait
 * on its busy handler for a journal-mode change: processes opening a new file at once would
 * otherwise see "database is locked" from all but the one that changed it.
 */
function whileBusy(timeoutMs: number, work: () => void): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      work();
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, wait); // a pause at open: the opening is synchronous
    }
  }
}

/** Opens the driver on an open database: sets WAL and the busy timeout, and migrates the schema. */
export function createSqliteDriver(
  db: SqliteDatabase,
  options: SqliteDriverOptions = {},
  owned = false,
): SqliteDriver {
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  inspect(db); // before anything is changed: refuse a corrupt, foreign or newer file untouched
  // readers never block the writer; crash-safe with synchronous=NORMAL
  whileBusy(busyTimeoutMs, () => db.exec('PRAGMA journal_mode = WAL'));
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  // from here a busy lock is waited for by the gate, asynchronously, never blocking the event loop
  db.exec('PRAGMA busy_timeout = 0');
  return assembleSqliteDriver(db, new Gate(db, busyTimeoutMs), options, { owned, watch: true });
}

/** How {@link assembleSqliteDriver} is to treat the database. */
export interface SqliteAssembly {
  /** Whether `close` closes the database (the driver opened it). */
  readonly owned: boolean;
  /** Whether live lenses poll `PRAGMA data_version` for other connections' commits. */
  readonly watch: boolean;
}

/**
 * The driver's parts over a migrated database and its transaction gate: an engine whose
 * transactions are not `BEGIN … COMMIT` (a Durable Object's storage) brings a gate of its own.
 */
export function assembleSqliteDriver(
  db: SqliteDatabase,
  gate: Gate,
  options: SqliteDriverOptions,
  assembly: SqliteAssembly,
): SqliteDriver {
  // live lenses hear other processes' commits through the store's optional watch
  const models = assembly.watch ? modelWatch(db, options.pollMs ?? 25) : undefined;
  const limits = limitsOf(options.limits, options.maxPayloadBytes);
  const inner = sqliteStore(db, gate, limits, models?.watch);
  const innerLedger = sqliteLedger(db, inner, gate, options);
  let closed = false;
  const boundary = { what: 'SQLite driver', closed: () => closed, map: sqliteError };
  const store = driverBoundary(inner, boundary, ['outbox', 'snapshots']);
  const ledger = driverBoundary(innerLedger, boundary);
  return {
    name: 'sqlite',
    ledger,
    store,
    snapshots: store.snapshots,
    leases: driverBoundary(sqliteLeases(db, gate), boundary),
    database: db,
    close(): void {
      if (closed) return;
      closed = true;
      models?.close();
      innerLedger.close();
      if (assembly.owned) db.close();
    },
  };
}

/** How an engine entry opens its library's database and adapts it. */
export interface SqliteEngine<D extends { close(): unknown }> {
  /** Opens (or creates) a database file with the runtime's library. */
  open(path: string): D;
  /** Adapts an open database to the engine interface. */
  adapt(db: D, path?: string): SqliteDatabase;
  /** What to check when a path cannot be opened (permissions, flags). */
  readonly hint: string;
}

/** The options every engine entry takes: a path, or an open database of the caller's own. */
export type OpenSqliteOptions<D> = SqliteDriverOptions &
  (
    | { readonly path: string; readonly database?: undefined }
    | { readonly database: D; readonly path?: undefined }
  );

/** Opens the driver through an engine: the shared body of every entry's `sqliteDriver`. */
export function openSqliteDriver<D extends { close(): unknown }>(
  options: OpenSqliteOptions<D>,
  engine: SqliteEngine<D>,
): SqliteDriver {
  if (options.database !== undefined)
    return createSqliteDriver(engine.adapt(options.database), options);
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'sqliteDriver needs `path` (a file, or ":memory:") or an open `database`.',
    );
  }
  let db: D;
  try {
    db = engine.open(options.path);
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"${options.path}" could not be opened: ${cause instanceof Error ? cause.message : String(cause)}. ${engine.hint}`,
      { cause },
    );
  }
  try {
    return createSqliteDriver(engine.adapt(db, options.path), options, true);
  } catch (error) {
    db.close();
    throw error;
  }
}
