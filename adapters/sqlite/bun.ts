/**
 * `whizbang/sqlite/bun`: the SQLite driver on Bun, over the built-in `bun:sqlite` (no dependency,
 * no native addon). Pass a path (created if missing) or an open `Database` of your own. The file
 * is the same as the one `whizbang/sqlite` writes on Node: either runtime can open it.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { sqliteDriver } from 'whizbang/sqlite/bun';
 *
 * const app = whizbang('shop').receptor(placeOrder).build({ driver: sqliteDriver({ path: 'shop.db' }) });
 * ```
 * @module
 */

import process from 'node:process';
import { WhizbangError } from '../../js/mod.ts';
import { openSqliteDriver, type SqliteDriver, type SqliteDriverOptions } from './driver.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';

export type { SqliteDriver, SqliteDriverOptions } from './driver.ts';
export type { SqliteDatabase, SqliteStatement } from './engine.ts';
export { sqliteKeyStore } from './keys.ts';
export type { SqliteLedger, SqliteLedgerOptions } from './ledger.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type { SqliteStore } from './store.ts';

/** The part of a `bun:sqlite` `Database` the driver uses. */
export interface BunSqliteDatabase {
  /** Runs SQL with no result. */
  exec(sql: string): unknown;
  /** Compiles a statement. */
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    /** Rows as arrays (bun:sqlite has it since 1.0). */
    values?(...params: unknown[]): unknown[][] | null;
  };
  /** Closes the database. */
  close(): unknown;
  /** The database's file (`:memory:` for one in memory). */
  readonly filename: string;
}

/** Options of {@link sqliteDriver}: a path, or an open `bun:sqlite` database of your own. */
export type BunSqliteOptions = SqliteDriverOptions &
  (
    | { readonly path: string; readonly database?: undefined }
    | { readonly database: BunSqliteDatabase; readonly path?: undefined }
  );

type BunDatabaseClass = new (path: string) => BunSqliteDatabase;

// Loaded when a driver is made, not when this module is imported, so that a bundle which merely
// contains it still loads on other runtimes.
function load(): BunDatabaseClass {
  const module = process.getBuiltinModule?.('bun:sqlite') as
    | { Database?: BunDatabaseClass }
    | undefined;
  if (typeof module?.Database !== 'function') {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'whizbang/sqlite/bun runs on Bun (it uses bun:sqlite). On Node import whizbang/sqlite; on Deno, whizbang/sqlite/deno.',
    );
  }
  return module.Database;
}

/** Adapts a `bun:sqlite` database to the engine interface. */
export function fromBunSqlite(db: BunSqliteDatabase): SqliteDatabase {
  return {
    name: db.filename,
    exec: (sql) => void db.exec(sql),
    prepare(sql): SqliteStatement {
      const statement = db.prepare(sql);
      const adapted: SqliteStatement = {
        run: (...params) => statement.run(...params),
        // bun:sqlite answers null for "no row"; the engine interface (like better-sqlite3) says undefined
        get: (...params) =>
          (statement.get(...params) ?? undefined) as Record<string, unknown> | undefined,
        all: (...params) => statement.all(...params) as Array<Record<string, unknown>>,
      };
      // rows as arrays: no row object to build, nor an array made of it
      if (typeof statement.values === 'function')
        adapted.values = (...params) => statement.values!(...params) ?? [];
      return adapted;
    },
    close: () => void db.close(),
  };
}

/** Opens (or creates) a SQLite event store. */
export function sqliteDriver(options: BunSqliteOptions): SqliteDriver {
  return openSqliteDriver(options, {
    open: (path) => new (load())(path),
    adapt: (db) => fromBunSqlite(db),
    hint: 'Check the path and its permissions.',
  });
}
