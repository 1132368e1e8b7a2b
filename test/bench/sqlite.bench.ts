/**
 * Benchmarks of the SQLite driver (better-sqlite3 on Node) on real files in a temporary folder,
 * against raw better-sqlite3 doing the same rows and against Emmett's SQLite event store.
 * Every file uses the driver's settings: WAL, `synchronous = NORMAL`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getSQLiteEventStore,
  type SQLiteConnection,
  type SQLiteEventStore,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import type BetterSqlite3 from 'better-sqlite3';
import { type SqliteDriver, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { NewEvent } from '../../js/mod.ts';
import { whizbang } from '../../js/mod.ts';
import { ACCOUNTS, type AccountState, balances, evolveAccount, initialAccount } from './bank.ts';
import type { BenchEntry } from './run.ts';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

let folder: string | undefined;
let files = 0;
/** A new file name in this process's temporary folder (removed when the process exits). */
function freshPath(label: string): string {
  if (folder === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'whizbang-bench-sqlite-'));
    folder = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(folder, `${label}-${++files}.db`);
}
function remove(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

const TENANT = 'default';
const STREAMS = ACCOUNTS.map((a) => `account-${a}`);
const INSERT_EVENT = `INSERT INTO whizbang_events (position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const COLUMNS =
  'position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata';

/** A raw better-sqlite3 connection on a file with the driver's schema and settings. */
function rawDatabase(path: string): BetterSqlite3.Database {
  sqliteDriver({ path }).close(); // the same tables and indexes as the driver's
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Emmett's SQLite store on one connection of its own, with the same durability settings. */
async function emmettStore(
  path: string,
): Promise<{ store: SQLiteEventStore; connection: SQLiteConnection }> {
  const connection = sqliteConnection({ fileName: path });
  await connection.command('PRAGMA synchronous = NORMAL');
  const store = getSQLiteEventStore({
    fileName: path,
    connectionOptions: { singleton: true, connection },
  });
  await store.schema.migrate();
  return { store, connection };
}

/** The raw side of the append benchmarks: `per` rows per `BEGIN IMMEDIATE` transaction. */
function rawAppender(per: number) {
  let db: BetterSqlite3.Database | undefined;
  let path = '';
  return {
    setup: () => {
      path = freshPath('raw');
      db = rawDatabase(path);
    },
    run: (n: number): number => {
      const insert = db!.prepare(INSERT_EVENT);
      const append = db!.transaction((stream: string, accountId: string, from: number) => {
        const time = Date.now();
        for (let j = 1; j <= per; j++) {
          const id = randomUUID();
          insert.run(
            null,
            TENANT,
            stream,
            from + j,
            'Deposited',
            id,
            id,
            id,
            time,
            JSON.stringify({ accountId, amount: 1 }),
            null,
          );
        }
      });
      const versions = new Array<number>(ACCOUNTS.length).fill(0);
      for (let i = 0; i < n / per; i++) {
        const a = i % ACCOUNTS.length;
        append.immediate(STREAMS[a]!, ACCOUNTS[a]!, versions[a]!);
        versions[a]! += per;
      }
      return n;
    },
    teardown: () => {
      db!.close();
      remove(path);
    },
  };
}

/** The Whizbang side of the append benchmarks: `per` events per append, with the expected version. */
function ledgerAppender(per: number) {
  let driver: SqliteDriver | undefined;
  let path = '';
  return {
    setup: () => {
      path = freshPath('whizbang');
      driver = sqliteDriver({ path });
    },
    run: (n: number): number => {
      const ledger = driver!.ledger;
      const versions = new Array<number>(ACCOUNTS.length).fill(0);
      for (let i = 0; i < n / per; i++) {
        const a = i % ACCOUNTS.length;
        const accountId = ACCOUNTS[a]!;
        const events: NewEvent[] = new Array(per);
        for (let j = 0; j < per; j++)
          events[j] = { type: 'Deposited', data: { accountId, amount: 1 } };
        ledger.append(STREAMS[a]!, events, { expectedVersion: versions[a]! });
        versions[a]! += per;
      }
      return n;
    },
    teardown: () => {
      driver!.close();
      remove(path);
    },
  };
}

/** One file with a 1 000-event stream `big`, for the read benchmarks. */
const BIG = 1000;

/**
 * Events in the rebuild file: deposits over 1 000 accounts, 100 per append to one account. 800 000,
 * not 1 000 000: with a million the benchmark took 56–72 s here (the file's setup ~11 s, eight
 * rebuilds), over its ~60 s budget.
 */
const REBUILD_EVENTS = 800_000;
const REBUILD_PER = 100;

export const benches: BenchEntry[] = [
  {
    name: 'sqlite.append.1',
    make: () => ({
      name: 'sqlite.append.1',
      unit: 'events/s',
      goal: 0.7,
      ops: 20_000,
      subject: {
        name: 'sqliteLedger.append, 1 event, expected version, 1 000 streams (file, WAL)',
        ...ledgerAppender(1),
      },
      baseline: {
        name: 'raw better-sqlite3: the same row (same columns, JSON) in its own IMMEDIATE transaction',
        ...rawAppender(1),
      },
    }),
  },
  {
    name: 'sqlite.append.1.emmett',
    make: () => {
      let emmett: { store: SQLiteEventStore; connection: SQLiteConnection } | undefined;
      let path = '';
      return {
        name: 'sqlite.append.1.emmett',
        unit: 'events/s',
        goal: 15,
        ops: 3_000,
        subject: {
          name: 'sqliteLedger.append, 1 event, expected version, 1 000 streams (file, WAL)',
          ...ledgerAppender(1),
        },
        baseline: {
          name: 'Emmett 0.42.4 SQLite appendToStream, 1 event, expected version (one sqlite3 connection, WAL, synchronous=NORMAL like the driver)',
          setup: async () => {
            path = freshPath('emmett');
            emmett = await emmettStore(path);
          },
          run: async (n) => {
            const store = emmett!.store;
            const versions = new Array<bigint>(ACCOUNTS.length).fill(0n);
            for (let i = 0; i < n; i++) {
              const a = i % ACCOUNTS.length;
              await store.appendToStream(
                STREAMS[a]!,
                [{ type: 'Deposited', data: { accountId: ACCOUNTS[a]!, amount: 1 } }],
                { expectedStreamVersion: versions[a]! },
              );
              versions[a]!++;
            }
            return n;
          },
          teardown: () => {
            emmett!.connection.close();
            remove(path);
          },
        },
      };
    },
  },
  {
    name: 'sqlite.append.batch100',
    make: () => ({
      name: 'sqlite.append.batch100',
      unit: 'events/s',
      goal: 0.8,
      ops: 100_000,
      subject: {
        name: 'sqliteLedger.append, 100 events, expected version, 1 000 streams (file, WAL)',
        ...ledgerAppender(100),
      },
      baseline: {
        name: 'raw better-sqlite3: the same 100 rows in one IMMEDIATE transaction',
        ...rawAppender(100),
      },
    }),
  },
  {
    name: 'sqlite.readStream',
    make: () => {
      const path = freshPath('read');
      const driver = sqliteDriver({ path });
      for (let i = 0; i < BIG; i++) {
        driver.ledger.append('big', [
          { type: 'Deposited', data: { accountId: 'x', amount: i + 1 } },
        ]);
      }
      const db = new Database(path, { readonly: true });
      const select = db.prepare(
        `SELECT ${COLUMNS} FROM whizbang_events WHERE tenant = ? AND stream_id = ? ORDER BY version`,
      );
      return {
        name: 'sqlite.readStream',
        unit: 'events/s',
        goal: 0.9,
        ops: 300,
        subject: {
          name: 'sqliteLedger.readStream of a 1 000-event stream, decoded to events, each read',
          run: (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              for (const e of driver.ledger.readStream('big')) {
                sum += (e.data as { amount: number }).amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
        baseline: {
          name: 'raw better-sqlite3: SELECT of the same rows, all columns, as row objects (its default) + JSON.parse of each payload',
          run: (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              const rows = select.all(TENANT, 'big') as Array<{
                data: string;
                metadata: string | null;
              }>;
              for (const row of rows) {
                const data = JSON.parse(row.data) as { amount: number };
                if (row.metadata !== null) JSON.parse(row.metadata);
                sum += data.amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
      };
    },
  },
  {
    name: 'sqlite.readStream.emmett',
    make: async () => {
      const path = freshPath('read');
      const driver = sqliteDriver({ path });
      const emmettPath = freshPath('emmett-read');
      const { store } = await emmettStore(emmettPath);
      for (let i = 0; i < BIG; i++) {
        const event = { type: 'Deposited', data: { accountId: 'x', amount: i + 1 } };
        driver.ledger.append('big', [event]);
        await store.appendToStream('big', [event]);
      }
      return {
        name: 'sqlite.readStream.emmett',
        unit: 'events/s',
        goal: 4,
        ops: 100,
        subject: {
          name: 'sqliteLedger.readStream of a 1 000-event stream, decoded to events, each read',
          run: (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              for (const e of driver.ledger.readStream('big')) {
                sum += (e.data as { amount: number }).amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
        baseline: {
          name: 'Emmett 0.42.4 SQLite readStream of the same stream (one sqlite3 connection)',
          run: async (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              const { events } = await store.readStream<{
                type: 'Deposited';
                data: { accountId: string; amount: number };
              }>('big');
              for (const e of events) {
                sum += e.data.amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
      };
    },
  },
  {
    name: 'sqlite.rebuild',
    make: async () => {
      const path = freshPath('rebuild');
      const driver = sqliteDriver({ path });
      const start = performance.now();
      // the file is written without waiting for the disk (setup only), then as the driver runs
      driver.database.exec('PRAGMA synchronous = OFF');
      for (let i = 0; i < REBUILD_EVENTS / REBUILD_PER; i++) {
        const accountId = ACCOUNTS[i % ACCOUNTS.length]!;
        const events: NewEvent[] = new Array(REBUILD_PER);
        for (let j = 0; j < REBUILD_PER; j++) {
          events[j] = { type: 'Deposited', data: { accountId, amount: 1 + (j % 7) } };
        }
        driver.ledger.append(`account-${accountId}`, events);
      }
      driver.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      driver.database.exec('PRAGMA synchronous = NORMAL');
      console.error(
        `sqlite.rebuild: wrote ${REBUILD_EVENTS} events (${REBUILD_PER} per append, ${ACCOUNTS.length} accounts) in ${Math.round(performance.now() - start)} ms`,
      );
      const app = whizbang('bench').perspective(balances).build({ driver });
      const db = new Database(path);
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      const page = db.prepare(
        `SELECT ${COLUMNS} FROM whizbang_events WHERE position > ? ORDER BY position LIMIT 1000`,
      );
      const put = db.prepare(
        'INSERT OR REPLACE INTO whizbang_models (perspective, tenant, id, model, version, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      const clear = db.prepare('DELETE FROM whizbang_models WHERE perspective = ?');
      type Row = { position: number; tenant: string; type: string; time: number; data: string };
      return {
        name: 'sqlite.rebuild',
        unit: 'events/s',
        goal: 0.7,
        ops: 1,
        rounds: 3,
        subject: {
          name: `app.rebuild of an inline perspective (balances) from ${REBUILD_EVENTS} deposits, ${REBUILD_PER} per append to one of ${ACCOUNTS.length} accounts`,
          run: async (n) => {
            for (let i = 0; i < n; i++) await app.rebuild(balances);
            return n * REBUILD_EVENTS;
          },
        },
        baseline: {
          name: `raw better-sqlite3: SELECT the same rows (all columns, row objects) 1 000 at a time, JSON.parse, the same evolve into a Map, then write the 1 000 models (${REBUILD_EVENTS} events, not 1 000 000, to stay within ~60 s)`,
          run: (n) => {
            for (let i = 0; i < n; i++) {
              const models = new Map<
                string,
                { state: AccountState; version: number; position: number; time: number }
              >();
              let after = 0;
              for (;;) {
                const rows = page.all(after) as Row[];
                if (rows.length === 0) break;
                for (const row of rows) {
                  if (row.type !== 'Deposited') continue;
                  const event = {
                    data: JSON.parse(row.data) as { accountId: string; amount: number },
                  };
                  const m = models.get(event.data.accountId);
                  if (m === undefined) {
                    models.set(event.data.accountId, {
                      state: evolveAccount(initialAccount(), event),
                      version: 1,
                      position: row.position,
                      time: row.time,
                    });
                  } else {
                    m.state = evolveAccount(m.state, event);
                    m.version++;
                    m.position = row.position;
                    m.time = row.time;
                  }
                }
                after = rows[rows.length - 1]!.position;
              }
              db.transaction(() => {
                clear.run('raw');
                for (const [id, m] of models) {
                  put.run(
                    'raw',
                    TENANT,
                    id,
                    JSON.stringify(m.state),
                    m.version,
                    m.position,
                    m.time,
                  );
                }
              }).immediate();
            }
            return n * REBUILD_EVENTS;
          },
        },
      };
    },
  },
];
