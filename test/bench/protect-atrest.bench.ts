/**
 * Encryption at rest: SQLite appends (10 events each, payloads sealed with AES-GCM) and a rebuild
 * of a perspective (every event opened, every model sealed) against the same SQLite file in clear.
 */
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import {
  type Driver,
  defineEvent,
  definePerspective,
  type NewEvent,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { type Cipher, encryptAtRest } from '../../js/protect/at-rest.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { ACCOUNTS } from './bank.ts';
import type { BenchEntry } from './harness.ts';
import { freshPath } from './sqlite-engine.ts';

type Visit = { customerId: string; email: string; note: string; amount: number };
const Visited = defineEvent('Visited', payload<Visit>());
const visits = definePerspective({
  name: 'visits',
  events: [Visited],
  key: (e) => e.data.customerId,
  initial: () => ({ email: '', total: 0 }),
  apply: (m: { email: string; total: number }, e) => ({
    email: e.data.email,
    total: m.total + e.data.amount,
  }),
});
const visit = (i: number): Visit => {
  const id = ACCOUNTS[i % ACCOUNTS.length]!;
  return { customerId: id, email: `${id}@example.org`, note: `visit ${i} at the shop`, amount: 1 };
};
const key = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

const PER = 10;
const REBUILD_EVENTS = 20_000;

async function appendSome(driver: Driver, from: number, n: number): Promise<number> {
  for (let i = from; i < from + n; i++) {
    const events: NewEvent[] = [];
    for (let j = 0; j < PER; j++) events.push(Visited(visit(i)));
    await driver.ledger.append(`customer-${visit(i).customerId}`, events);
  }
  return n * PER;
}

async function files(cipher: Cipher | undefined) {
  const sealedFile = sqliteDriver({ path: freshPath('atrest-sealed') });
  const clearFile = sqliteDriver({ path: freshPath('atrest-clear') });
  const sealed = await encryptAtRest(sealedFile, { key: await key(), cipher });
  return { sealedFile, clearFile, sealed };
}

function append(name: string, cipher: Cipher | undefined, label: string, goal: number): BenchEntry {
  return {
    name,
    make: async () => {
      const { sealed, clearFile } = await files(cipher);
      let [a, b] = [0, 0];
      return {
        name,
        unit: 'events/s',
        goal,
        ops: 500,
        rounds: 7,
        subject: {
          name: `SQLite appends of ${PER} events, encrypted at rest, ${label}`,
          run: async (n) => {
            a += n;
            return appendSome(sealed, a - n, n);
          },
        },
        baseline: {
          name: 'the same appends to a SQLite file in clear',
          run: async (n) => {
            b += n;
            return appendSome(clearFile, b - n, n);
          },
        },
      };
    },
  };
}

function rebuild(
  name: string,
  cipher: Cipher | undefined,
  label: string,
  goal: number,
): BenchEntry {
  return {
    name,
    make: async () => {
      const { sealed, sealedFile, clearFile } = await files(cipher);
      for (const f of [sealedFile, clearFile]) f.database.exec('PRAGMA synchronous = OFF');
      await appendSome(sealed, 0, REBUILD_EVENTS / PER);
      await appendSome(clearFile, 0, REBUILD_EVENTS / PER);
      for (const f of [sealedFile, clearFile]) {
        f.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        f.database.exec('PRAGMA synchronous = NORMAL');
      }
      const sealedApp = whizbang('bench').perspective(visits).build({ driver: sealed });
      const clearApp = whizbang('bench').perspective(visits).build({ driver: clearFile });
      return {
        name,
        unit: 'events/s',
        goal,
        ops: 1,
        rounds: 5,
        subject: {
          name: `app.rebuild of an inline perspective from ${REBUILD_EVENTS} events (${ACCOUNTS.length} models), encrypted at rest, ${label}`,
          run: async (n) => {
            for (let i = 0; i < n; i++) await sealedApp.rebuild(visits);
            return n * REBUILD_EVENTS;
          },
        },
        baseline: {
          name: 'the same rebuild on a SQLite file in clear',
          run: async (n) => {
            for (let i = 0; i < n; i++) await clearApp.rebuild(visits);
            return n * REBUILD_EVENTS;
          },
        },
      };
    },
  };
}

function query(name: string, cipher: Cipher | undefined, label: string, goal: number): BenchEntry {
  return {
    name,
    make: async () => {
      const { sealed, clearFile } = await files(cipher);
      // one event per customer: 1 000 models
      for (const d of [sealed, clearFile]) {
        for (let i = 0; i < ACCOUNTS.length; i++) {
          await d.ledger.append(`customer-${visit(i).customerId}`, [Visited(visit(i))]);
        }
      }
      const sealedApp = whizbang('bench').perspective(visits).build({ driver: sealed });
      const clearApp = whizbang('bench').perspective(visits).build({ driver: clearFile });
      await sealedApp.rebuild(visits);
      await clearApp.rebuild(visits);
      const ask = async (app: typeof sealedApp, n: number) => {
        for (let i = 0; i < n; i++) {
          const page = await app
            .lens(visits)
            .query({ where: { total: { gte: 1 } }, orderBy: { email: 'desc' }, limit: 20 });
          if (page.length !== 20) throw new Error('short page');
        }
        return n;
      };
      return {
        name,
        unit: 'queries/s',
        goal,
        ops: 20,
        rounds: 7,
        subject: {
          name: `lens query (filter, sort, page of 20) over ${ACCOUNTS.length} models encrypted at rest, ${label}`,
          run: (n) => ask(sealedApp, n),
        },
        baseline: {
          name: 'the same query on a SQLite file in clear',
          run: (n) => ask(clearApp, n),
        },
      };
    },
  };
}

// Goals: one AES-GCM operation per event is most of an append's and a rebuild's work beside
// SQLite's own (a rebuild also opens and seals each model once per page of 1 000 events).
export const benches: BenchEntry[] = [
  append('protect.atrest.append.sqlite', nodeCipher(), 'node:crypto cipher', 0.5),
  append('protect.atrest.append.sqlite.webcrypto', undefined, 'WebCrypto cipher', 0.25),
  rebuild('protect.atrest.rebuild.sqlite', nodeCipher(), 'node:crypto cipher', 0.5),
  rebuild('protect.atrest.rebuild.sqlite.webcrypto', undefined, 'WebCrypto cipher', 0.25),
  // the scan opens each model once; later scans find the texts kept (see atrest-box.ts)
  query('protect.atrest.query.sqlite', nodeCipher(), 'node:crypto cipher', 0.5),
];
