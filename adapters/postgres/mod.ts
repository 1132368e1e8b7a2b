/**
 * `whizbang/postgres`: the PostgreSQL driver, over node-postgres (`pg`, an optional peer
 * dependency, version 8). Pass a connection string or a `pg.Pool` of your own.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { postgresDriver } from 'whizbang/postgres';
 *
 * const driver = await postgresDriver({ url: 'postgres://postgres@127.0.0.1:5432/shop' });
 * const app = whizbang('shop').receptor(placeOrder).build({ driver });
 * ```
 * @module
 */
import { WhizbangError } from '../../js/mod.ts';
import { createPostgresDriver, type PgDriverOptions, type PostgresDriver } from './driver.ts';
import type { PgConnection, PgEngine } from './engine.ts';
import { ident, migrate, SCHEMA_VERSION, schemaNames } from './schema.ts';
import { enableRowLevelSecurity } from './security.ts';

export type { PgDriverOptions, PostgresDriver } from './driver.ts';
export type { PgConnection, PgEngine } from './engine.ts';
export type { PgKeyStoreOptions } from './keys.ts';
export { postgresKeyStore } from './keys.ts';
export type { PgLedger, PgLedgerOptions } from './ledger.ts';
export type { PgStore } from './store.ts';
export { SCHEMA_VERSION };

/** The part of a node-postgres client the driver uses. */
export interface PgClientLike {
  /** Runs one SQL statement (pg's `query` with a config object). */
  query(config: {
    text: string;
    values?: unknown[];
    rowMode?: 'array';
    name?: string;
  }): Promise<{ rows: unknown[] } | Array<{ rows: unknown[] }>>;
  /** `'notification'` listeners get `{ channel, payload }`; `'error'` listeners an Error. */
  on(event: 'notification' | 'error', listener: (value: unknown) => void): unknown;
  /** Removes listeners (pg's `EventEmitter` method). */
  removeAllListeners(event?: string): unknown;
  /** Removes an `error` listener. */
  removeListener(event: 'error', listener: (value: unknown) => void): unknown;
}

/** The part of a `pg.Pool` the driver uses. */
export interface PgPoolLike {
  /** Runs one SQL statement on a pooled client. */
  query: PgClientLike['query'];
  /** Checks a client out of the pool (give it back with `release`). */
  connect(): Promise<PgClientLike & { release(destroy?: boolean | Error): void }>;
  /** Closes every client of the pool. */
  end(): Promise<void>;
  /** Listens for errors of idle clients. */
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Where the driver connects: a connection string (it makes and ends the pool) or your pool. */
export type PostgresOptions = PgDriverOptions &
  (
    | {
        /** A connection string, e.g. `postgres://user@host:5432/db`. */
        readonly url: string;
        /** Connections in the pool the driver makes (default 10; LISTEN holds one). */
        readonly max?: number;
        readonly pool?: undefined;
      }
    | { readonly pool: PgPoolLike; readonly url?: undefined; readonly max?: undefined }
  );

async function loadPool(url: string, max: number): Promise<PgPoolLike> {
  let pg: { Pool: new (config: object) => PgPoolLike };
  try {
    const module = (await import('pg')) as { default?: typeof pg } & typeof pg;
    pg = module.default ?? module;
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'whizbang/postgres needs node-postgres: npm install pg@8.',
      { cause },
    );
  }
  const pool = new pg.Pool({ connectionString: url, max });
  // an idle connection the server closed is dropped from the pool; without a listener it would
  // take the process down
  pool.on('error', () => {});
  return pool;
}

// one name per statement text for the whole process: node-postgres keeps prepared statements per
// connection by name, and two drivers may share a pool
const names = new Map<string, string>();

/** A refusal by row-level security as a Whizbang error; anything else as it came. */
function refusal(error: unknown): unknown {
  if ((error as { code?: unknown }).code !== '42501') return error;
  return new WhizbangError(
    'FORBIDDEN',
    `PostgreSQL refused: ${(error as Error).message}. This connection's role is bound to the tenant of its whizbang.tenant setting; use a connection of that tenant (or the schema's owner).`,
    { cause: error },
  );
}

const rowsOf = (result: { rows: unknown[] } | Array<{ rows: unknown[] }>): unknown[][] =>
  (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as unknown[][];

/**
 * Adapts a node-postgres pool to the engine interface. Statements with parameters are prepared
 * once per connection (by name); a statement without parameters may hold several (migrations).
 */
export function fromPgPool(pool: PgPoolLike, owned = false): PgEngine {
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < 2000) {
      name = `whizbang_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const on = (client: { query: PgClientLike['query'] }): PgConnection => ({
    async query(text, values) {
      try {
        if (values === undefined) return rowsOf(await client.query({ text, rowMode: 'array' }));
        const name = nameOf(text);
        return rowsOf(
          await client.query({
            text,
            values: values as unknown[],
            rowMode: 'array',
            ...(name === undefined ? {} : { name }),
          }),
        );
      } catch (error) {
        throw refusal(error);
      }
    },
  });
  const direct = on(pool);
  return {
    query: direct.query,
    async transaction<T>(work: (connection: PgConnection) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // a connection lost between statements says so by an event: the next statement fails anyway
      const lost = (error: unknown): void => {
        broken ??= error instanceof Error ? error : new Error(String(error));
      };
      client.on('error', lost);
      try {
        await client.query({ text: 'BEGIN' });
        const result = await work(on(client));
        await client.query({ text: 'COMMIT' });
        return result;
      } catch (error) {
        try {
          await client.query({ text: 'ROLLBACK' });
        } catch (lost) {
          broken = lost instanceof Error ? lost : new Error(String(lost)); // the connection is gone
        }
        throw error;
      } finally {
        client.removeListener('error', lost);
        client.release(broken);
      }
    },
    async listen(channel, onNotify, onReconnect) {
      let stopped = false;
      let current: (PgClientLike & { release(destroy?: boolean | Error): void }) | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const connect = async (): Promise<void> => {
        const client = await pool.connect();
        if (stopped) {
          client.release();
          return;
        }
        current = client;
        client.on('notification', (value) => {
          const message = value as { channel: string; payload?: string };
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        client.on('error', (value) => {
          const error = value instanceof Error ? value : new Error(String(value));
          if (current !== client) return;
          current = undefined;
          client.removeAllListeners('notification');
          client.release(error);
          const again = (delay: number): void => {
            if (stopped) return;
            retry = setTimeout(() => {
              connect().then(onReconnect, () => again(Math.min(delay * 2, 5000)));
            }, delay);
            (retry as { unref?: () => void }).unref?.();
          };
          again(100);
        });
        await client.query({ text: `LISTEN ${ident(channel)}` });
      };
      await connect();
      return async () => {
        stopped = true;
        if (retry !== undefined) clearTimeout(retry);
        const client = current;
        current = undefined;
        if (client === undefined) return;
        client.removeAllListeners('notification');
        try {
          await client.query({ text: `UNLISTEN ${ident(channel)}` });
          client.release();
        } catch (error) {
          client.release(error instanceof Error ? error : true);
        }
      };
    },
    close: () => (owned ? pool.end() : Promise.resolve()),
  };
}

/** Where `migratePostgres` connects, and the schema it brings up to date. */
export type MigrateOptions = { readonly schema?: string } & (
  | { readonly url: string; readonly pool?: undefined }
  | { readonly pool: PgPoolLike; readonly url?: undefined }
);

function engineFor(options: {
  readonly url?: string | undefined;
  readonly pool?: PgPoolLike | undefined;
  readonly max?: number | undefined;
}): Promise<PgEngine> {
  if (options.pool !== undefined) return Promise.resolve(fromPgPool(options.pool));
  if (typeof options.url !== 'string' || options.url.length === 0) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'postgresDriver needs `url` (a connection string) or a `pool` (a pg.Pool).',
    );
  }
  return loadPool(options.url, options.max ?? 10).then((pool) => fromPgPool(pool, true));
}

/** Opens a PostgreSQL event store, migrating its schema unless told not to. */
export async function postgresDriver(options: PostgresOptions): Promise<PostgresDriver> {
  const engine = await engineFor(options);
  try {
    return await createPostgresDriver(engine, options);
  } catch (error) {
    await engine.close();
    throw error;
  }
}

/**
 * Applies the pending migrations of a schema (idempotent; safe from many processes at once) and
 * returns the version it was at. For deploys that migrate before the app starts.
 */
export async function migratePostgres(options: MigrateOptions): Promise<number> {
  const engine = await engineFor(options);
  try {
    return await migrate(engine, schemaNames(options.schema ?? 'public'));
  } finally {
    await engine.close();
  }
}

/**
 * Binds a database role to tenants with row-level security on a (migrated) schema: connections of
 * `role` see and write only rows whose tenant is their `whizbang.tenant` setting, e.g. a pool made
 * with `options: '-c whizbang.tenant=acme'`. Idempotent. The schema's owner is not bound.
 */
export async function postgresRowLevelSecurity(
  options: MigrateOptions & { readonly role: string },
): Promise<void> {
  const engine = await engineFor(options);
  try {
    const names = schemaNames(options.schema ?? 'public');
    await migrate(engine, names);
    await enableRowLevelSecurity(engine, names, options.role);
  } finally {
    await engine.close();
  }
}
