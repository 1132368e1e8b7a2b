/**
 * `whizbang/sqlite/deno`: the SQLite driver on Deno, over its built-in `node:sqlite` (Deno 2; tested
 * on 2.9): no npm package, no native addon, no `--allow-ffi`. Pass a path (created if missing) or an
 * open `DatabaseSync` of your own. Run with read and write access to the database's folder:
 * `deno run --allow-read=data --allow-write=data main.ts`. The file is the same as the one
 * `whizbang/sqlite` writes on Node: either runtime can open it.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { sqliteDriver } from 'whizbang/sqlite/deno';
 *
 * const app = whizbang('shop').receptor(placeOrder).build({ driver: sqliteDriver({ path: 'data/shop.db' }) });
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

/** The part of a `node:sqlite` `StatementSync` the driver uses. */
export interface NodeSqliteStatementSync {
  /** Runs the statement; says how many rows changed. */
  run(...params: unknown[]): { changes: number | bigint };
  /** The first row of the result. */
  get(...params: unknown[]): unknown;
  /** Every row of the result. */
  all(...params: unknown[]): unknown[];
  /** The result's columns. */
  columns?(): ReadonlyArray<{ readonly name: string; readonly type: string | null }>;
  /** Rows as arrays instead of objects. */
  setReturnArrays?(enabled: boolean): void;
}

/** The part of a `node:sqlite` `DatabaseSync` the driver uses. */
export interface NodeSqliteDatabaseSync {
  /** Runs SQL with no result. */
  exec(sql: string): unknown;
  /** Compiles a statement. */
  prepare(sql: string): NodeSqliteStatementSync;
  /** Closes the database. */
  close(): unknown;
  /** The database's file (`null` for one in memory). */
  location?(): string | null;
}

/** Options of {@link sqliteDriver}: a path, or an open `node:sqlite` database of your own. */
export type DenoSqliteOptions = SqliteDriverOptions &
  (
    | { readonly path: string; readonly database?: undefined }
    | { readonly database: NodeSqliteDatabaseSync; readonly path?: undefined }
  );

type DatabaseSyncClass = new (path: string) => NodeSqliteDatabaseSync;

// Loaded when a driver is made, not when this module is imported.
function load(): DatabaseSyncClass {
  const module = process.getBuiltinModule?.('node:sqlite') as
    | { DatabaseSync?: DatabaseSyncClass }
    | undefined;
  if (typeof module?.DatabaseSync !== 'function') {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'whizbang/sqlite/deno needs node:sqlite, built into Deno 2: upgrade Deno. On Node import whizbang/sqlite; on Bun, whizbang/sqlite/bun.',
    );
  }
  return module.DatabaseSync;
}

type Row = Record<string, unknown>;

const RETURNS_ROWS = /^\s*(?:SELECT|WITH|VALUES)\b/i;
/** Declared types with TEXT affinity; an expression's column has no declared type (null). */
const TEXT_AFFINITY = /CHAR|CLOB|TEXT/i;
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const utf8 = new TextDecoder();

/**
 * Deno's node:sqlite (2.9) reads TEXT as a C string, so a value holding U+0000 comes back cut at
 * it (a stream id "a\0b" would read as "a"); binding is exact. So a query is read through a wrapper
 * that adds, per column that may hold text, the value's bytes when (and only when) it holds a NUL:
 * `octet_length <> length` is false for ASCII text without NUL, numbers and blobs, and `instr` then
 * settles it. The wrapper keeps the query's own order (SQLite runs the inner query as a
 * co-routine or flattens it, ORDER BY included). Rows come back as arrays: `values` hands them on
 * (the ledger's reads), `get` and `all` build row objects here, faster on Deno than its own.
 * Returns undefined where no wrapper is needed or possible (the plain statement is used then).
 */
function fullTextReader(
  db: NodeSqliteDatabaseSync,
  sql: string,
  plain: NodeSqliteStatementSync,
): Required<Pick<SqliteStatement, 'get' | 'all' | 'values'>> | undefined {
  if (!RETURNS_ROWS.test(sql) || plain.columns === undefined) return undefined;
  const columns = plain.columns();
  const names = columns.map((c) => c.name);
  if (new Set(names).size !== names.length) return undefined;
  const text = names.flatMap((_, i) =>
    columns[i]!.type === null || TEXT_AFFINITY.test(columns[i]!.type!) ? [i] : [],
  );
  if (text.length === 0) return undefined;
  const extra = text.map((i) => {
    const c = quote(names[i]!);
    return `CASE WHEN octet_length(${c}) <> length(${c}) AND instr(${c}, char(0)) THEN CAST(${c} AS BLOB) END`;
  });
  let wrapped: NodeSqliteStatementSync;
  try {
    // the inner query on lines of its own, so that a trailing `--` comment ends there
    wrapped = db.prepare(
      `SELECT ${[...names.map(quote), ...extra].join(', ')} FROM (\n${sql.replace(/;\s*$/, '')}\n)`,
    );
  } catch {
    return undefined; // e.g. an SQLite older than 3.43 (no octet_length): read as is
  }
  if (wrapped.setReturnArrays === undefined) return undefined;
  wrapped.setReturnArrays(true);
  const n = names.length;
  const toRow = (values: unknown[]): Row => {
    const row: Row = {};
    for (let i = 0; i < n; i++) row[names[i]!] = values[i];
    for (let j = 0; j < text.length; j++) {
      const full = values[n + j];
      if (full != null) row[names[text[j]!]!] = utf8.decode(full as Uint8Array);
    }
    return row;
  };
  /** The row as the query's own values: the whole text put in place, the extra columns cut. */
  const toValues = (values: unknown[]): unknown[] => {
    for (let j = 0; j < text.length; j++) {
      const full = values[n + j];
      if (full != null) values[text[j]!] = utf8.decode(full as Uint8Array);
    }
    values.length = n;
    return values;
  };
  return {
    get(...params) {
      const values = wrapped.get(...params) as unknown[] | undefined;
      return values === undefined ? undefined : toRow(values);
    },
    all: (...params) => (wrapped.all(...params) as unknown[][]).map(toRow),
    values(...params) {
      const rows = wrapped.all(...params) as unknown[][];
      for (let i = 0; i < rows.length; i++) toValues(rows[i]!);
      return rows;
    },
  };
}

/** Adapts a `node:sqlite` database to the engine interface; `name` labels it in error messages. */
export function fromNodeSqlite(db: NodeSqliteDatabaseSync, name?: string): SqliteDatabase {
  return {
    name: name ?? db.location?.() ?? ':memory:',
    exec: (sql) => void db.exec(sql),
    prepare(sql): SqliteStatement {
      const plain = db.prepare(sql);
      const reader = fullTextReader(db, sql, plain);
      if (reader !== undefined) return { run: (...params) => plain.run(...params), ...reader };
      return {
        run: (...params) => plain.run(...params),
        get: (...params) => plain.get(...params) as Record<string, unknown> | undefined,
        all: (...params) => plain.all(...params) as Array<Record<string, unknown>>,
      };
    },
    close: () => void db.close(),
  };
}

/** Opens (or creates) a SQLite event store. */
export function sqliteDriver(options: DenoSqliteOptions): SqliteDriver {
  return openSqliteDriver(options, {
    open: (path) => new (load())(path),
    adapt: (db, path) => fromNodeSqlite(db, path),
    hint: 'Check the path, and that Deno may read and write its folder (--allow-read, --allow-write).',
  });
}
