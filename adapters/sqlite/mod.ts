/**
 * `whizbang/sqlite`: the SQLite driver on Node, over better-sqlite3 (an optional peer dependency,
 * version 12). Pass a path (created if missing) or an open better-sqlite3 database.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { sqliteDriver } from 'whizbang/sqlite';
 *
 * const app = whizbang('shop').receptor(placeOrder).build({ driver: sqliteDriver({ path: 'shop.db' }) });
 * ```
 * @module
 */

import { createRequire } from 'node:module';
import { WhizbangError } from '../../js/mod.ts';
import { openSqliteDriver, type SqliteDriver, type SqliteDriverOptions } from './driver.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';

export type { SqliteDriver, SqliteDriverOptions } from './driver.ts';
export type { SqliteDatabase, SqliteStatement } from './engine.ts';
export { sqliteKeyStore } from './keys.ts';
export type { SqliteLedger, SqliteLedgerOptions } from './ledger.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type { SqliteStore } from './store.ts';

/** The part of a better-sqlite3 database the driver uses. */
export interface BetterSqlite3Database {
  /** Runs SQL with no result. */
  exec(sql: string): unknown;
  /** Compiles a statement. */
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number | bigint; lastInsertRowid?: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    /** better-sqlite3: whether the statement returns rows. */
    readonly reader?: boolean;
    /** better-sqlite3: rows as arrays from now on (only for statements that return rows). */
    raw?(toggle?: boolean): { all(...params: unknown[]): unknown[] };
  };
  /** Closes the database. */
  close(): unknown;
  /** The database's file (`:memory:` for one in memory). */
  readonly name: string;
}

type BetterSqlite3Statement = ReturnType<BetterSqlite3Database['prepare']>;

/** Options of {@link sqliteDriver}: a path, or an open database of your own. */
export type NodeSqliteOptions = SqliteDriverOptions &
  (
    | { readonly path: string; readonly database?: undefined }
    | { readonly database: BetterSqlite3Database; readonly path?: undefined }
  );

function load(): new (path: string) => BetterSqlite3Database {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as new (
      path: string,
    ) => BetterSqlite3Database;
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'whizbang/sqlite needs better-sqlite3 (version 12 on Node 20): npm install better-sqlite3@12.',
      { cause },
    );
  }
}

/** Adapts a better-sqlite3 database to the engine interface. */
export function fromBetterSqlite3(db: BetterSqlite3Database): SqliteDatabase {
  return {
    name: db.name,
    exec: (sql) => void db.exec(sql),
    prepare(sql): SqliteStatement {
      const statement = db.prepare(sql) as SqliteStatement & BetterSqlite3Statement;
      if (statement.reader === true && typeof statement.raw === 'function') {
        // rows as arrays skip building an object per row: a twin of the statement in raw mode
        let raw: { all(...params: unknown[]): unknown[] } | undefined;
        statement.values = (...params) => {
          if (raw === undefined) raw = (db.prepare(sql) as BetterSqlite3Statement).raw!(true);
          return raw.all(...params) as unknown[][];
        };
      }
      return statement;
    },
    close: () => void db.close(),
  };
}

/** Opens (or creates) a SQLite event store. */
export function sqliteDriver(options: NodeSqliteOptions): SqliteDriver {
  return openSqliteDriver(options, {
    open: (path) => new (load())(path),
    adapt: (db) => fromBetterSqlite3(db),
    hint: 'Check the path and its permissions.',
  });
}
