/**
 * The SQLite adapter's schema on D1, the same tables and versions (a ledger exported from one
 * opens on the others). Each migration step is one batch, guarded by the version it starts from,
 * so two Workers migrating at once do the step once.
 */
import { WhizbangError } from '../../../js/mod.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../sqlite/schema.ts';
import type { D1Database } from './binding.ts';
import { guard, isMoved } from './errors.ts';

const CURRENT = '(SELECT coalesce(max(version), 0) FROM whizbang_schema)';

async function versionOf(db: D1Database): Promise<number> {
  return Number((await db.prepare(`SELECT ${CURRENT} AS v`).first<{ v: number }>())?.v ?? 0);
}

/** Brings the database to the current schema; returns the version found. */
export async function migrateD1(db: D1Database): Promise<number> {
  // one read when the schema is current (a Worker opens the driver per request)
  const current = await versionOf(db).catch(() => undefined);
  if (current === SCHEMA_VERSION) return current;
  await db.prepare('CREATE TABLE IF NOT EXISTS whizbang_schema (version INTEGER NOT NULL)').run();
  const found = await versionOf(db);
  if (found > SCHEMA_VERSION) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The D1 database was written by a newer Whizbang (schema ${found}; this one knows ${SCHEMA_VERSION}). Upgrade Whizbang to open it; it was not changed.`,
    );
  }
  for (let v = found; v < SCHEMA_VERSION; v = await versionOf(db)) {
    const statements = MIGRATIONS[v]!.split(/;\s*(?:\n|$)/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    try {
      await db.batch([
        db.prepare(guard(`${CURRENT} = ?`)).bind(v),
        ...statements.map((s) => db.prepare(s)),
        db.prepare('INSERT INTO whizbang_schema (version) VALUES (?)').bind(v + 1),
      ]);
    } catch (error) {
      // another Worker took the step first: read where it left the schema
      if (!isMoved(error) && !/already exists|duplicate column/i.test(String(error))) throw error;
    }
  }
  return found;
}
