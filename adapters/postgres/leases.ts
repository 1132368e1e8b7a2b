/**
 * Leases in PostgreSQL: one row per lease in `<schema>.whizbang_leases`, each call one statement
 * on the database's clock (no session state: no advisory lock, no LISTEN), so it behaves the same
 * through PgBouncer in transaction mode or any pool. Two instances asking at once meet on the
 * row's unique key: one inserts or updates it, the other finds it held.
 */
import { checkLeaseName, checkLeaseTtl } from '../../js/kit/mod.ts';
import type { Lease, LeaseStore } from '../../js/mod.ts';
import type { PgEngine } from './engine.ts';
import type { SchemaNames } from './schema.ts';

/** The columns a lease is read from, `expires_at` as epoch milliseconds. */
const LEASE = `name, owner, token, (extract(epoch FROM expires_at) * 1000)::float8`;

function toLease(row: unknown[] | undefined): Lease | undefined {
  if (row === undefined) return undefined;
  return {
    name: row[0] as string,
    owner: row[1] as string,
    token: Number(row[2]),
    expiresAt: Number(row[3]),
  };
}

/** The lease store over a schema; its table is made on first use. */
export function pgLeases(engine: PgEngine, s: SchemaNames): LeaseStore {
  const t = `${s.q}.whizbang_leases`;
  let ready: Promise<void> | undefined;
  // made here rather than by a migration: an app that never coordinates never has the table
  const table = (): Promise<void> => {
    ready ??= engine
      .transaction(async (c) => {
        await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [t]);
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${t} (name text PRIMARY KEY, owner text NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL)`,
        );
      })
      .catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
    return ready;
  };
  const until = `now() + $3::float8 * interval '1 millisecond'`;
  const ACQUIRE = `INSERT INTO ${t} AS l (name, owner, token, expires_at) VALUES ($1, $2, 1, ${until})
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
      token = CASE WHEN l.owner = excluded.owner AND l.expires_at > now() THEN l.token ELSE l.token + 1 END
    WHERE l.owner = excluded.owner OR l.expires_at <= now()
    RETURNING ${LEASE}`;
  const RENEW = `UPDATE ${t} SET expires_at = ${until} WHERE name = $1 AND owner = $2 AND token = $4 AND expires_at > now() RETURNING ${LEASE}`;
  return {
    async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | undefined> {
      checkLeaseName('lease name', name);
      checkLeaseName('owner', owner);
      checkLeaseTtl(ttlMs);
      await table();
      return toLease((await engine.query(ACQUIRE, [name, owner, ttlMs]))[0]);
    },
    async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
      checkLeaseTtl(ttlMs);
      await table();
      return toLease((await engine.query(RENEW, [lease.name, lease.owner, ttlMs, lease.token]))[0]);
    },
    async release(lease: Lease): Promise<void> {
      await table();
      // the row stays, expired, so that the next owner's token is still greater
      await engine.query(
        `UPDATE ${t} SET expires_at = 'epoch' WHERE name = $1 AND owner = $2 AND token = $3`,
        [lease.name, lease.owner, lease.token],
      );
    },
    async list(prefix = ''): Promise<Lease[]> {
      await table();
      const rows = await engine.query(
        `SELECT ${LEASE} FROM ${t} WHERE left(name, length($1)) = $1 AND expires_at > now() ORDER BY name COLLATE "C"`,
        [prefix],
      );
      return rows.map((r) => toLease(r)!);
    },
  };
}
