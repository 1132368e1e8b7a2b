/**
 * `whizbang migrate`: the schema version a database holds and the one this Whizbang writes; with
 * `--apply`, brings it there (the drivers' own migrations, one transaction per step). A JetStream log
 * has no schema.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { migratePostgres, SCHEMA_VERSION as PG_SCHEMA } from '../../adapters/postgres/mod.ts';
import { SCHEMA_VERSION as SQLITE_SCHEMA } from '../../adapters/sqlite/mod.ts';
import { CliError } from '../fail.ts';
import { kindOf, openTarget } from '../target.ts';
import { poolFor, schemaVersion, splitPostgresUrl } from '../targets/postgres.ts';

/** What `migrate` found and did. */
export interface Migration {
  /** The backend. */
  readonly backend: string;
  /** The schema version found (0: none yet). */
  readonly version: number;
  /** The version this Whizbang writes. */
  readonly latest: number;
  /** Steps still to apply. */
  readonly pending: number;
  /** Whether they were applied now. */
  readonly applied: boolean;
}

interface ReadOnlyDatabase {
  prepare(sql: string): { get(): unknown };
  close(): unknown;
}

/** Opens the file read-only with this runtime's SQLite, to look without migrating. */
async function openReadOnly(path: string): Promise<ReadOnlyDatabase> {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process
    ?.versions;
  if (versions?.bun !== undefined) {
    const { Database } = (await import('bun:sqlite' as string)) as {
      Database: new (path: string, options: object) => ReadOnlyDatabase;
    };
    return new Database(path, { readonly: true });
  }
  if ('Deno' in globalThis) {
    const { DatabaseSync } = (await import('node:sqlite' as string)) as {
      DatabaseSync: new (path: string, options: object) => ReadOnlyDatabase;
    };
    return new DatabaseSync(path, { readOnly: true });
  }
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (
    path: string,
    options: object,
  ) => ReadOnlyDatabase;
  return new Database(path, { readonly: true });
}

async function sqliteVersion(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const db = await openReadOnly(path);
  try {
    const table = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'whizbang_schema'")
      .get();
    if (table === undefined) return 0;
    const row = db.prepare('SELECT max(version) AS v FROM whizbang_schema').get() as
      | { v?: unknown }
      | undefined;
    return Number(row?.v ?? 0);
  } finally {
    db.close();
  }
}

/** Looks at the target's schema, and applies the migrations when `apply`. */
export async function migrate(target: string, apply: boolean): Promise<Migration> {
  const kind = kindOf(target);
  if (kind === 'jetstream') {
    return { backend: kind, version: 0, latest: 0, pending: 0, applied: false };
  }
  let version: number;
  const latest = kind === 'postgres' ? PG_SCHEMA : SQLITE_SCHEMA;
  if (kind === 'postgres') {
    const { url, schema } = splitPostgresUrl(target);
    const pool = await poolFor(url);
    try {
      version = await schemaVersion(pool, schema);
      if (apply && version < latest) await migratePostgres({ pool, schema });
    } finally {
      await pool.end();
    }
  } else {
    version = await sqliteVersion(target);
    if (apply && version < latest) await (await openTarget(target, { create: true })).close();
  }
  if (version > latest) {
    throw new CliError(
      'NEWER_SCHEMA',
      `The schema is at version ${version}, newer than this Whizbang's ${latest}: upgrade Whizbang.`,
    );
  }
  return {
    backend: kind,
    version,
    latest,
    pending: latest - version,
    applied: apply && version < latest,
  };
}

/** The migration as text for a terminal. */
export function describeMigration(m: Migration): string {
  if (m.backend === 'jetstream') return 'A JetStream log has no schema: nothing to migrate.\n';
  if (m.pending === 0) return `${m.backend} schema at version ${m.version}: up to date.\n`;
  if (m.applied) return `${m.backend} schema migrated from version ${m.version} to ${m.latest}.\n`;
  return `${m.backend} schema at version ${m.version}; this Whizbang writes version ${m.latest}: ${m.pending} migration(s) to apply (run again with --apply).\n`;
}
