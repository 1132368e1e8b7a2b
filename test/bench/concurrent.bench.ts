/**
 * Many senders at once (group commit). `pg.send.concurrent.N`: N concurrent senders of the stateful
 * Deposit command (decide on the account's state, append one event with its expected version) over
 * 1 000 accounts, against Emmett's PostgreSQL store doing the same decide-and-append through its
 * CommandHandler at the same concurrency (a pool of N connections); `….raw`: against raw
 * node-postgres single-row inserts from N connections. `sqlite.send.concurrent`: 64 senders in one
 * process, group commit against one transaction per append. Each sender owns the accounts
 * `a ≡ sender (mod N)`, so no side pays for conflicts.
 */
import { randomUUID } from 'node:crypto';
import { CommandHandler } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  type PostgresEventStore,
} from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { type PostgresDriver, postgresDriver } from '../../adapters/postgres/mod.ts';
import { type SqliteDriver, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { whizbang } from '../../js/mod.ts';
import {
  ACCOUNTS,
  type AccountState,
  Deposit,
  decideDeposit,
  deposit,
  evolveAccount,
  initialAccount,
} from './bank.ts';
import type { BenchEntry, Side } from './harness.ts';
import { freshPath, remove } from './sqlite-engine.ts';

const build = (driver?: PostgresDriver | SqliteDriver) =>
  whizbang('bench')
    .receptor(deposit)
    .build(driver === undefined ? {} : { driver });

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = `groupcommit_bench_${process.pid}`;
let made = 0;

/** Runs `n` operations over `senders` concurrent senders; sender s works the accounts a ≡ s. */
async function concurrently(
  senders: number,
  n: number,
  op: (account: number) => Promise<unknown>,
): Promise<number> {
  const per = Math.ceil(n / senders);
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      const mine = ACCOUNTS.flatMap((_, a) => (a % senders === s ? [a] : []));
      for (let i = 0; i < per; i++) await op(mine[i % mine.length]!);
    }),
  );
  return per * senders;
}

const admin = async (sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** Whizbang's send on a fresh schema each round (pool of 16: group commit needs few). */
function whizbangSender(senders: number): Side {
  let driver: PostgresDriver | undefined;
  let app: ReturnType<typeof build> | undefined;
  let schema = '';
  return {
    name: `whizbang send (stateful Deposit, group commit), ${senders} concurrent senders, pool of 16`,
    setup: async () => {
      schema = `${PREFIX}_${++made}`;
      driver = await postgresDriver({ url: URL, schema, max: 16 });
      app = build(driver);
    },
    run: (n) =>
      concurrently(senders, n, (a) => app!.send(Deposit({ accountId: ACCOUNTS[a]!, amount: 1 }))),
    teardown: async () => {
      await driver!.close();
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** Emmett's PostgreSQL store in a database of its own (made once), a pool of `senders`. */
function emmettSender(senders: number): Side & { finish: () => Promise<void> } {
  const database = `${PREFIX}_emmett_${senders}`;
  let store: PostgresEventStore | undefined;
  let pool: pg.Pool | undefined;
  type Dep = { type: 'Deposited'; data: { accountId: string; amount: number } };
  const handle = CommandHandler<AccountState, Dep>({
    evolve: evolveAccount,
    initialState: initialAccount,
  });
  return {
    name: `Emmett 0.42 PostgreSQL store + CommandHandler (read, decide, append with expected version), ${senders} concurrent senders, pool of ${senders}`,
    setup: async () => {
      if (store !== undefined) return;
      await admin(`CREATE DATABASE ${database}`);
      const url = new globalThis.URL(URL);
      url.pathname = `/${database}`;
      pool = new pg.Pool({ connectionString: url.toString(), max: senders });
      pool.on('error', () => {}); // its idle connections end when the database is dropped
      store = getPostgreSQLEventStore(url.toString(), { connectionOptions: { pool } });
      await store.schema.migrate();
    },
    run: (n) =>
      concurrently(senders, n, (a) => {
        const accountId = ACCOUNTS[a]!;
        return handle(store!, `account-${accountId}`, (s) => {
          decideDeposit(1, s);
          return { type: 'Deposited', data: { accountId, amount: 1 } };
        });
      }),
    finish: async () => {
      await store?.close();
      await pool?.end().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** Raw node-postgres: one INSERT of one row per operation, from a pool of `senders`. */
function rawSender(senders: number): Side {
  let pool: pg.Pool | undefined;
  let schema = '';
  const versions = new Array<number>(ACCOUNTS.length).fill(0);
  return {
    name: `raw node-postgres single-row INSERT (bigserial position, unique stream version), ${senders} connections`,
    setup: async () => {
      schema = `${PREFIX}_raw_${++made}`;
      await admin(
        `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".events (position bigserial PRIMARY KEY, tenant text NOT NULL, stream_id text NOT NULL, version bigint NOT NULL, type text NOT NULL, message_id text NOT NULL, created_at timestamptz NOT NULL, data jsonb NOT NULL, UNIQUE (tenant, stream_id, version))`,
      );
      pool = new pg.Pool({ connectionString: URL, max: senders });
      pool.on('error', () => {});
      versions.fill(0);
    },
    run: (n) =>
      concurrently(senders, n, (a) =>
        pool!.query({
          name: `raw-insert-${schema}`,
          text: `INSERT INTO "${schema}".events (tenant, stream_id, version, type, message_id, created_at, data) VALUES ('default', $1, $2, 'Deposited', $3, now(), $4)`,
          values: [
            `account-${ACCOUNTS[a]}`,
            ++versions[a]!,
            randomUUID(),
            JSON.stringify({ accountId: ACCOUNTS[a], amount: 1 }),
          ],
        }),
      ),
    teardown: async () => {
      await pool!.end();
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

const pgEmmett = (senders: number, ops: number): BenchEntry => ({
  name: `pg.send.concurrent.${senders}`,
  make: () => {
    const emmett = emmettSender(senders);
    return {
      name: `pg.send.concurrent.${senders}`,
      unit: 'commands/s',
      ops,
      rounds: 5,
      goal: 5,
      subject: whizbangSender(senders),
      baseline: emmett,
      finish: emmett.finish,
    };
  },
});

const pgRaw = (senders: number, ops: number): BenchEntry => ({
  name: `pg.send.concurrent.${senders}.raw`,
  make: () => ({
    name: `pg.send.concurrent.${senders}.raw`,
    unit: 'commands/s',
    ops,
    rounds: 5,
    goal: 1,
    subject: whizbangSender(senders),
    baseline: rawSender(senders),
  }),
});

/** Whizbang's send on SQLite, 64 senders, with or without group commit, on a fresh file. */
function sqliteSender(groupCommit: boolean): Side {
  let driver: SqliteDriver | undefined;
  let app: ReturnType<typeof build> | undefined;
  let path = '';
  return {
    name: groupCommit
      ? 'whizbang send (stateful Deposit), 64 concurrent senders, group commit'
      : 'the same without group commit: one transaction per append',
    setup: () => {
      path = freshPath(groupCommit ? 'group' : 'single');
      driver = sqliteDriver({ path, groupCommit });
      app = build(driver);
    },
    run: (n) =>
      concurrently(64, n, (a) => app!.send(Deposit({ accountId: ACCOUNTS[a]!, amount: 1 }))),
    teardown: () => {
      driver!.close();
      remove(path);
    },
  };
}

export const benches: BenchEntry[] = [
  pgEmmett(1, 300),
  pgEmmett(16, 2000),
  pgEmmett(64, 4000),
  pgRaw(1, 600),
  pgRaw(16, 4000),
  pgRaw(64, 8000),
  {
    name: 'sqlite.send.concurrent',
    make: () => ({
      name: 'sqlite.send.concurrent',
      unit: 'commands/s',
      ops: 20_000,
      goal: 5,
      subject: sqliteSender(true),
      baseline: sqliteSender(false),
    }),
  },
];
