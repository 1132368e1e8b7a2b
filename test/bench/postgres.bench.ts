/**
 * Benchmarks of the PostgreSQL driver on the local server (`DATABASE_URL`), against raw
 * node-postgres inserting and selecting the same rows in the same transaction sizes, and against
 * Emmett's PostgreSQL event store on the same server (in a database of its own, dropped after).
 */
import { randomUUID } from 'node:crypto';
import {
  getPostgreSQLEventStore,
  type PostgresEventStore,
} from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { type PostgresDriver, postgresDriver } from '../../adapters/postgres/mod.ts';
import type { NewEvent } from '../../js/mod.ts';
import { ACCOUNTS } from './bank.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TENANT = 'default';
const STREAMS = ACCOUNTS.map((a) => `account-${a}`);
const schemas: string[] = [];
let made = 0;

const admin = (): pg.Pool => {
  const pool = new pg.Pool({ connectionString: URL, max: 1 });
  pool.on('error', () => {});
  return pool;
};

/** A driver in a new schema of its own (dropped when the benchmark ends). */
async function freshDriver(): Promise<PostgresDriver> {
  const schema = `whizbang_bench_${process.pid}_${++made}`;
  schemas.push(schema);
  return postgresDriver({ url: URL, schema, max: 2 });
}

async function dropSchemas(): Promise<void> {
  const pool = admin();
  for (const s of schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pool.end();
}

/**
 * The raw side: a pool of one connection on a schema with the driver's tables, inserting rows it
 * numbers itself (a single writer needs no lock to know the next position).
 */
async function rawTarget(): Promise<{ pool: pg.Pool; table: string }> {
  const driver = await freshDriver();
  const schema = driver.schema;
  await driver.close();
  const pool = new pg.Pool({ connectionString: URL, max: 1 });
  return { pool, table: `"${schema}".whizbang_events` };
}

const deposit = (accountId: string): NewEvent => ({
  type: 'Deposited',
  data: { accountId, amount: 1 },
});

function whizbangAppender(per: number) {
  let driver: PostgresDriver | undefined;
  const versions = new Array<number>(ACCOUNTS.length).fill(0);
  return {
    name: 'whizbang',
    setup: async () => {
      driver = await freshDriver();
      versions.fill(0);
    },
    run: async (n: number) => {
      for (let i = 0; i < n / per; i++) {
        const a = i % ACCOUNTS.length;
        const events = Array.from({ length: per }, () => deposit(ACCOUNTS[a]!));
        await driver!.ledger.append(STREAMS[a]!, events, { expectedVersion: versions[a]! });
        versions[a]! += per;
      }
      return n;
    },
    teardown: async () => {
      await driver!.close();
      await dropSchemas();
    },
  };
}

function rawAppender(per: number) {
  let target: { pool: pg.Pool; table: string } | undefined;
  let position = 0;
  const versions = new Array<number>(ACCOUNTS.length).fill(0);
  return {
    setup: async () => {
      target = await rawTarget();
      position = 0;
      versions.fill(0);
    },
    run: async (n: number) => {
      const { pool, table } = target!;
      const columns =
        'position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, created_at, data';
      const one = `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $6, $6, now(), $7)`;
      const many = `INSERT INTO ${table} (${columns}) SELECT p, $1, $2, v, $3, id, id, id, now(), d FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::jsonb[]) AS x(p, v, id, d)`;
      for (let i = 0; i < n / per; i++) {
        const a = i % ACCOUNTS.length;
        const data = JSON.stringify({ accountId: ACCOUNTS[a], amount: 1 });
        if (per === 1) {
          await pool.query({
            name: `raw-one-${table}`,
            text: one,
            values: [
              ++position,
              TENANT,
              STREAMS[a],
              ++versions[a]!,
              'Deposited',
              randomUUID(),
              data,
            ],
          });
        } else {
          const positions: number[] = [];
          const vs: number[] = [];
          const ids: string[] = [];
          const ds: string[] = [];
          for (let j = 0; j < per; j++) {
            positions.push(++position);
            vs.push(++versions[a]!);
            ids.push(randomUUID());
            ds.push(data);
          }
          // one statement is one transaction: the fewest round trips a raw batch can take
          await pool.query({
            name: `raw-many-${table}`,
            text: many,
            values: [TENANT, STREAMS[a], 'Deposited', positions, vs, ids, ds],
          });
        }
      }
      return n;
    },
    teardown: async () => {
      await target!.pool.end();
      await dropSchemas();
    },
  };
}

/** Emmett's PostgreSQL store in a database of its own. */
const EMMETT_DB = `whizbang_bench_emmett_${process.pid}`;
async function withEmmettDatabase(create: boolean): Promise<string> {
  const pool = admin();
  if (create) await pool.query(`CREATE DATABASE ${EMMETT_DB}`);
  else await pool.query(`DROP DATABASE IF EXISTS ${EMMETT_DB} WITH (FORCE)`);
  await pool.end();
  const url = new globalThis.URL(URL);
  url.pathname = `/${EMMETT_DB}`;
  return url.toString();
}

function emmettAppender() {
  let store: PostgresEventStore | undefined;
  const versions = new Array<number>(ACCOUNTS.length).fill(0);
  return {
    name: "Emmett's PostgreSQL event store, 1 event/append",
    setup: async () => {
      const url = await withEmmettDatabase(true);
      store = getPostgreSQLEventStore(url);
      await store.schema.migrate();
      versions.fill(0);
    },
    run: async (n: number) => {
      for (let i = 0; i < n; i++) {
        const a = i % ACCOUNTS.length;
        await store!.appendToStream(STREAMS[a]!, [deposit(ACCOUNTS[a]!) as never], {
          expectedStreamVersion: BigInt(versions[a]!),
        });
        versions[a]!++;
      }
      return n;
    },
    teardown: async () => {
      await store!.close();
      await withEmmettDatabase(false);
    },
  };
}

/** Reads of one 100-event stream, over and over: whizbang, raw select, Emmett. */
const STREAM_LENGTH = 100;
function readers() {
  let driver: PostgresDriver | undefined;
  let raw: pg.Pool | undefined;
  let emmett: PostgresEventStore | undefined;
  let table = '';
  const prepare = async () => {
    driver = await freshDriver();
    table = `"${driver.schema}".whizbang_events`;
    for (let i = 0; i < STREAM_LENGTH; i += 20) {
      await driver.ledger.append(
        'account-reader',
        Array.from({ length: 20 }, () => deposit('reader')),
      );
    }
    raw = new pg.Pool({ connectionString: URL, max: 1 });
  };
  const cleanup = async () => {
    await driver?.close();
    await raw?.end();
    driver = undefined;
    raw = undefined;
    await dropSchemas();
  };
  return {
    whizbang: {
      name: 'whizbang',
      setup: async () => {
        if (driver === undefined) await prepare();
      },
      run: async (n: number) => {
        let read = 0;
        while (read < n) read += (await driver!.ledger.readStream('account-reader')).length;
        return read;
      },
    },
    raw: {
      name: 'raw node-postgres select of the same rows',
      run: async (n: number) => {
        let read = 0;
        while (read < n) {
          const { rows } = await raw!.query({
            name: `raw-read-${table}`,
            text: `SELECT position, version, type, message_id, correlation_id, causation_id, created_at, data, metadata FROM ${table} WHERE tenant = $1 AND stream_id = $2 ORDER BY version`,
            values: [TENANT, 'account-reader'],
          });
          read += rows.length;
        }
        return read;
      },
    },
    emmett: {
      name: "Emmett's PostgreSQL event store readStream",
      setup: async () => {
        if (emmett !== undefined) return;
        const url = await withEmmettDatabase(true);
        emmett = getPostgreSQLEventStore(url);
        await emmett.schema.migrate();
        for (let i = 0; i < STREAM_LENGTH; i += 20) {
          await emmett.appendToStream(
            'account-reader',
            Array.from({ length: 20 }, () => deposit('reader') as never),
          );
        }
      },
      run: async (n: number) => {
        let read = 0;
        while (read < n) read += (await emmett!.readStream('account-reader')).events.length;
        return read;
      },
    },
    cleanup: async () => {
      await cleanup();
      if (emmett !== undefined) {
        await emmett.close();
        emmett = undefined;
        await withEmmettDatabase(false);
      }
    },
  };
}

/** A read benchmark: both sides read the stream `readers` prepared once. */
function readBench(
  name: string,
  goal: number,
  pick: (r: ReturnType<typeof readers>) => { subject: Side; baseline: Side },
): BenchEntry {
  return {
    name,
    make: () => {
      const r = readers();
      return { name, unit: 'events/s', ops: 20_000, goal, ...pick(r), finish: r.cleanup };
    },
  };
}

export const benches: BenchEntry[] = [
  {
    name: 'pg.append.1',
    make: () => ({
      name: 'pg.append.1',
      unit: 'events/s',
      ops: 1200,
      rounds: 9, // a commit's flush time wanders: more, longer rounds
      goal: 0.7,
      subject: whizbangAppender(1),
      baseline: { name: 'raw node-postgres insert, 1 row/txn', ...rawAppender(1) },
    }),
  },
  {
    name: 'pg.append.batch100',
    make: () => ({
      name: 'pg.append.batch100',
      unit: 'events/s',
      ops: 10_000,
      goal: 0.8,
      subject: whizbangAppender(100),
      baseline: { name: 'raw node-postgres insert, 100 rows/txn', ...rawAppender(100) },
    }),
  },
  {
    name: 'pg.append.1.emmett',
    make: () => ({
      name: 'pg.append.1.emmett',
      unit: 'events/s',
      ops: 600,
      goal: 5,
      subject: whizbangAppender(1),
      baseline: emmettAppender(),
    }),
  },
  readBench('pg.readStream', 0.9, (r) => ({ subject: r.whizbang, baseline: r.raw })),
  readBench('pg.readStream.emmett', 5, (r) => ({ subject: r.whizbang, baseline: r.emmett })),
];
