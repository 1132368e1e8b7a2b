/**
 * A PostgreSQL URL as a target: `postgres://user@host:5432/db?schema=name` (default schema
 * `public`). The CLI makes the pool and hands it to the driver, so its totals run on the same pool.
 */
import {
  type PgPoolLike,
  type PostgresDriver,
  postgresDriver,
} from '../../adapters/postgres/mod.ts';
import type { OpenOptions, Summary, Target } from '../backend.ts';
import { CliError } from '../fail.ts';

/** The URL less the CLI's own `schema` parameter, and that schema. */
export function splitPostgresUrl(target: string): { url: string; schema: string } {
  const url = new URL(target);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { url: url.toString(), schema };
}

/** A pool of node-postgres (an optional peer: `npm install pg@8`). */
export async function poolFor(url: string): Promise<PgPoolLike> {
  let pg: { Pool: new (config: object) => PgPoolLike };
  try {
    const module = (await import('pg')) as { default?: typeof pg } & typeof pg;
    pg = module.default ?? module;
  } catch {
    throw new CliError('NOT_FOUND', 'A PostgreSQL target needs node-postgres: npm install pg@8.');
  }
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  return pool;
}

/** The schema's version (0 when it has none). */
export async function schemaVersion(pool: PgPoolLike, schema: string): Promise<number> {
  const rows = await select(
    pool,
    "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'whizbang_schema'",
    [schema],
  );
  if (rows.length === 0) return 0;
  const version = await select(
    pool,
    `SELECT coalesce(max(version), 0) FROM ${quote(schema)}.whizbang_schema`,
  );
  return Number(version[0]?.[0] ?? 0);
}

/** A quoted identifier. */
export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function select(pool: PgPoolLike, text: string, values?: unknown[]): Promise<unknown[][]> {
  const result = await pool.query({ text, rowMode: 'array', ...(values ? { values } : {}) });
  return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as unknown[][];
}

/** Opens the schema (made only with `create`; read commands refuse one that has no Whizbang tables). */
export async function openPostgres(target: string, options: OpenOptions): Promise<Target> {
  const { url, schema } = splitPostgresUrl(target);
  const pool = await poolFor(url);
  let driver: PostgresDriver;
  try {
    if (!options.create && (await schemaVersion(pool, schema)) === 0) {
      throw new CliError(
        'NO_SCHEMA',
        `PostgreSQL schema "${schema}" has no Whizbang tables (run \`whizbang migrate --apply\` to make them).`,
      );
    }
    driver = await postgresDriver({ pool, schema, migrate: options.create });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const q = quote(schema);
  return {
    kind: 'postgres',
    driver,
    ledger: driver.ledger,
    store: driver.store,
    async summary(): Promise<Summary> {
      const [totals] = await select(
        pool,
        `SELECT count(*), coalesce(max(position), 0), count(DISTINCT (tenant, stream_id)) FROM ${q}.whizbang_events`,
      );
      const types = await select(
        pool,
        `SELECT type, count(*) AS n FROM ${q}.whizbang_events GROUP BY type ORDER BY n DESC, type`,
      );
      const tenants = await select(
        pool,
        `SELECT tenant, count(*), count(DISTINCT stream_id) FROM ${q}.whizbang_events GROUP BY tenant ORDER BY tenant`,
      );
      return {
        events: Number(totals?.[0] ?? 0),
        head: Number(totals?.[1] ?? 0),
        streams: Number(totals?.[2] ?? 0),
        types: types.map((r) => ({ type: String(r[0]), events: Number(r[1]) })),
        tenants: tenants.map((r) => ({
          tenant: String(r[0]),
          events: Number(r[1]),
          streams: Number(r[2]),
        })),
      };
    },
    async checkpoints() {
      const rows = await select(
        pool,
        `SELECT perspective, position FROM ${q}.whizbang_checkpoints ORDER BY perspective`,
      );
      return rows.map((r) => ({ perspective: String(r[0]), position: Number(r[1]) }));
    },
    async outbox() {
      return driver.store.outbox.counts();
    },
    async close() {
      await driver.close();
      await pool.end();
    },
  };
}
