/**
 * Leases in SQLite: one row per lease in `whizbang_leases`, for several processes on one file.
 * Each change is one statement in the gate's `BEGIN IMMEDIATE` transaction (a busy file is waited
 * for on timers); times are the processes' clocks, which on one machine agree.
 */
import { checkLeaseName, checkLeaseTtl } from '../../js/kit/mod.ts';
import type { Lease, LeaseStore, MaybePromise } from '../../js/mod.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';
import type { Gate } from './gate.ts';

const COLUMNS = 'name, owner, token, expires_at';

function toLease(row: Record<string, unknown> | undefined): Lease | undefined {
  if (row === undefined) return undefined;
  return {
    name: row.name as string,
    owner: row.owner as string,
    token: Number(row.token),
    expiresAt: Number(row.expires_at),
  };
}

/** The lease store on an open database; its table is made on first use. */
export function sqliteLeases(db: SqliteDatabase, gate: Gate): LeaseStore {
  const cache = new Map<string, SqliteStatement>();
  let made = false;
  const sql = (text: string): SqliteStatement => {
    if (!made) {
      // made here rather than by a migration: an app that never coordinates never has the table
      db.exec(
        'CREATE TABLE IF NOT EXISTS whizbang_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)',
      );
      made = true;
    }
    let statement = cache.get(text);
    if (statement === undefined) {
      statement = db.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  const ACQUIRE = `INSERT INTO whizbang_leases AS l (name, owner, token, expires_at) VALUES (?, ?, 1, ?)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
      token = CASE WHEN l.owner = excluded.owner AND l.expires_at > ? THEN l.token ELSE l.token + 1 END
    WHERE l.owner = excluded.owner OR l.expires_at <= ?
    RETURNING ${COLUMNS}`;
  const RENEW = `UPDATE whizbang_leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ? AND expires_at > ? RETURNING ${COLUMNS}`;
  const write = <T>(work: () => T): MaybePromise<T> => gate.run(work);
  return {
    acquire(name: string, owner: string, ttlMs: number): MaybePromise<Lease | undefined> {
      checkLeaseName('lease name', name);
      checkLeaseName('owner', owner);
      checkLeaseTtl(ttlMs);
      return write(() => {
        const at = Date.now();
        return toLease(sql(ACQUIRE).get(name, owner, at + ttlMs, at, at));
      });
    },
    renew(lease: Lease, ttlMs: number): MaybePromise<Lease | undefined> {
      checkLeaseTtl(ttlMs);
      return write(() => {
        const at = Date.now();
        return toLease(sql(RENEW).get(at + ttlMs, lease.name, lease.owner, lease.token, at));
      });
    },
    release(lease: Lease): MaybePromise<void> {
      // the row stays, expired, so that the next owner's token is still greater
      return write(() => {
        sql(
          'UPDATE whizbang_leases SET expires_at = 0 WHERE name = ? AND owner = ? AND token = ?',
        ).run(lease.name, lease.owner, lease.token);
      });
    },
    list(prefix = ''): MaybePromise<Lease[]> {
      return write(() =>
        sql(
          `SELECT ${COLUMNS} FROM whizbang_leases WHERE substr(name, 1, length(?)) = ? AND expires_at > ? ORDER BY name`,
        )
          .all(prefix, prefix, Date.now())
          .map((row) => toLease(row)!),
      );
    },
  };
}
