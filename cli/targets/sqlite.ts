/** A SQLite file as a target: the driver of the runtime the CLI runs on, and SQL for the totals. */
import { existsSync } from 'node:fs';
import type { SqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { OpenOptions, Summary, Target } from '../backend.ts';
import { CliError } from '../fail.ts';

/** The SQLite driver of this runtime: bun:sqlite on Bun, node:sqlite on Deno, better-sqlite3 on Node. */
async function driverFor(path: string): Promise<SqliteDriver> {
  const versions = (globalThis as { process?: { versions?: Record<string, string> } }).process
    ?.versions;
  if (versions?.bun !== undefined) {
    return (await import('../../adapters/sqlite/bun.ts')).sqliteDriver({ path });
  }
  if ('Deno' in globalThis) {
    return (await import('../../adapters/sqlite/deno.ts')).sqliteDriver({ path });
  }
  return (await import('../../adapters/sqlite/mod.ts')).sqliteDriver({ path });
}

/** Opens the file (made only with `create`). */
export async function openSqlite(path: string, options: OpenOptions): Promise<Target> {
  if (!options.create && path !== ':memory:' && !existsSync(path)) {
    throw new CliError('NOT_FOUND', `There is no SQLite file at "${path}".`);
  }
  const driver = await driverFor(path);
  const all = (sql: string): Array<Record<string, unknown>> => driver.database.prepare(sql).all();
  return {
    kind: 'sqlite',
    driver,
    ledger: driver.ledger,
    store: driver.store,
    async summary(): Promise<Summary> {
      const totals = all(
        'SELECT count(*) AS n, coalesce(max(position), 0) AS head FROM whizbang_events',
      )[0];
      const streams = all('SELECT count(*) AS n FROM whizbang_streams')[0];
      return {
        events: Number(totals?.n ?? 0),
        head: Number(totals?.head ?? 0),
        streams: Number(streams?.n ?? 0),
        types: all(
          'SELECT type, count(*) AS n FROM whizbang_events GROUP BY type ORDER BY n DESC, type',
        ).map((r) => ({ type: String(r.type), events: Number(r.n) })),
        tenants: all(
          'SELECT tenant, count(*) AS n, count(DISTINCT stream_id) AS s FROM whizbang_events GROUP BY tenant ORDER BY tenant',
        ).map((r) => ({ tenant: String(r.tenant), events: Number(r.n), streams: Number(r.s) })),
      };
    },
    async checkpoints() {
      return all('SELECT perspective, position FROM whizbang_checkpoints ORDER BY perspective').map(
        (r) => ({ perspective: String(r.perspective), position: Number(r.position) }),
      );
    },
    async outbox() {
      return driver.store.outbox.counts();
    },
    async close() {
      driver.close();
    },
  };
}
