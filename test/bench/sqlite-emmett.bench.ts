/**
 * The SQLite driver on Node against Emmett's SQLite event store (`@event-driven-io/emmett-sqlite`,
 * on the sqlite3 package), on real files with the same durability settings. Node only.
 */
import {
  getSQLiteEventStore,
  type SQLiteConnection,
  type SQLiteEventStore,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import { ACCOUNTS } from './bank.ts';
import type { BenchEntry } from './harness.ts';
import { BIG, ledgerAppender, readBig } from './sqlite.bench.ts';
import { benchEngine, freshPath, remove } from './sqlite-engine.ts';

const STREAMS = ACCOUNTS.map((a) => `account-${a}`);

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

export const benches: BenchEntry[] = [
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
          ...ledgerAppender(benchEngine(), 1),
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
    name: 'sqlite.readStream.emmett',
    make: async () => {
      const path = freshPath('read');
      const driver = benchEngine().driver({ path });
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
          run: (n) => readBig(driver, n),
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
];
