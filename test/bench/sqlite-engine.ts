/**
 * The SQLite of the runtime a benchmark runs on, two ways: raw (the library itself, as an
 * application without Whizbang would use it) and through the driver's entry for that runtime.
 * better-sqlite3 on Node, bun:sqlite on Bun, node:sqlite on Deno. Each file gets the driver's
 * schema and settings (WAL, `synchronous = NORMAL`), and lives in a temporary folder of the process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { sqliteDriver as onBun } from '../../adapters/sqlite/bun.ts';
import { sqliteDriver as onDeno } from '../../adapters/sqlite/deno.ts';
import {
  sqliteDriver as onNode,
  type SqliteDriver,
  type SqliteDriverOptions,
} from '../../adapters/sqlite/mod.ts';
import { runtimeName } from './harness.ts';

/** A statement of the raw library: its own object, unwrapped. */
export interface RawStatement {
  run(...params: unknown[]): unknown;
  /** Rows as objects (every library's default). */
  all(...params: unknown[]): unknown[];
}

/** A raw connection. Only `immediate` is ours: the library's own transaction helper where it has one. */
export interface RawDatabase {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  /** `work` as a function that runs it in `BEGIN IMMEDIATE … COMMIT`. */
  immediate<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void;
  close(): void;
}

/** The runtime's SQLite, raw and through the driver. */
export interface BenchEngine {
  /** The raw library's name: `better-sqlite3`, `bun:sqlite`, `node:sqlite`. */
  readonly library: string;
  /** Opens a raw connection on `path` (which has the driver's schema). */
  raw(path: string): RawDatabase;
  driver(options: SqliteDriverOptions & { readonly path: string }): SqliteDriver;
}

interface Native {
  prepare(sql: string): RawStatement;
  exec(sql: string): unknown;
  close(): unknown;
}
interface WithTransaction extends Native {
  transaction<A extends unknown[]>(work: (...args: A) => void): { immediate(...args: A): void };
}

/** better-sqlite3 and bun:sqlite: the same `transaction(fn).immediate()`. */
function withTransaction(db: WithTransaction): RawDatabase {
  return {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => void db.exec(sql),
    immediate(work) {
      const transaction = db.transaction(work);
      return (...args) => transaction.immediate(...args);
    },
    close: () => void db.close(),
  };
}

/** node:sqlite has no transaction helper: BEGIN and COMMIT prepared once, as the driver does. */
function withStatements(db: Native): RawDatabase {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => void db.exec(sql),
    immediate(work) {
      return (...args) => {
        begin.run();
        try {
          work(...args);
        } catch (error) {
          rollback.run();
          throw error;
        }
        commit.run();
      };
    },
    close: () => void db.close(),
  };
}

function settings(db: RawDatabase): RawDatabase {
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  return db;
}

const builtin = <T>(name: string): T => process.getBuiltinModule(name) as T;

/** The SQLite of this runtime. */
export function benchEngine(): BenchEngine {
  const runtime = runtimeName();
  if (runtime === 'bun') {
    const { Database } = builtin<{ Database: new (path: string) => WithTransaction }>('bun:sqlite');
    return {
      library: 'bun:sqlite',
      raw: (path) => settings(withTransaction(new Database(path))),
      driver: onBun,
    };
  }
  if (runtime === 'deno') {
    const { DatabaseSync } = builtin<{ DatabaseSync: new (path: string) => Native }>('node:sqlite');
    return {
      library: 'node:sqlite',
      raw: (path) => settings(withStatements(new DatabaseSync(path))),
      driver: onDeno,
    };
  }
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (
    path: string,
  ) => WithTransaction;
  return {
    library: 'better-sqlite3',
    raw: (path) => settings(withTransaction(new Database(path))),
    driver: onNode,
  };
}

let folder: string | undefined;
let files = 0;
/** A new file name in this process's temporary folder (removed when the process exits). */
export function freshPath(label: string): string {
  if (folder === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'whizbang-bench-sqlite-'));
    folder = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(folder, `${label}-${++files}.db`);
}

/** Removes a database file and SQLite's files beside it. */
export function remove(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
