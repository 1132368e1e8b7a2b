/**
 * Protected fields: the command path and a SQLite rebuild with two protected fields per event
 * (sealed with AES-GCM on append, opened on read) against the same app storing them in clear.
 */
import { sqliteDriver, sqliteKeyStore } from '../../adapters/sqlite/mod.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  memoryDriver,
  type NewEvent,
  payload,
  type Whizbang,
  whizbang,
} from '../../js/mod.ts';
import { type Cipher, memoryKeyStore, protect } from '../../js/protect/mod.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { ACCOUNTS } from './bank.ts';
import type { BenchEntry } from './harness.ts';
import { freshPath } from './sqlite-engine.ts';

type Contact = { customerId: string; email: string; phone: string; amount: number };
const Order = defineCommand('Order', payload<Contact>());
const Ordered = defineEvent('Ordered', payload<Contact>(), {
  protect: { subject: (e) => e.data.customerId, fields: ['email', 'phone'] },
});
const order = defineReceptor({
  command: Order,
  stream: (c) => `customer-${c.data.customerId}`,
  handle: (c) => Ordered(c.data),
});
const orders = definePerspective({
  name: 'orders',
  events: [Ordered],
  key: (e) => e.data.customerId,
  initial: () => ({ email: '', total: 0 }),
  apply: (m: { email: string; total: number }, e) => ({
    email: e.data.email,
    total: m.total + e.data.amount,
  }),
});
const contact = (i: number): Contact => {
  const id = ACCOUNTS[i % ACCOUNTS.length]!;
  return {
    customerId: id,
    email: `${id}@example.org`,
    phone: `+44 20 7946 ${i % 10_000}`,
    amount: 1,
  };
};
const master = (): Promise<CryptoKey> =>
  crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, [
    'wrapKey',
    'unwrapKey',
  ]) as Promise<CryptoKey>;
const send = async (app: Whizbang<any, any>, n: number): Promise<number> => {
  for (let i = 0; i < n; i++) await app.send(Order(contact(i)));
  return n;
};

const REBUILD_EVENTS = 50_000;
const REBUILD_PER = 10;

function commandPath(name: string, cipher: Cipher | undefined, label: string): BenchEntry {
  return {
    name,
    make: async () => {
      const key = await master();
      const build = (driver: Driver) =>
        whizbang('bench').receptor(order).perspective(orders).build({ driver });
      const sealedDriver = () =>
        protect(memoryDriver(), { master: key, keys: memoryKeyStore(), events: [Ordered], cipher });
      let sealed = build(sealedDriver());
      let clear = build(memoryDriver());
      return {
        name,
        unit: 'commands/s',
        goal: 0.6,
        ops: 10_000,
        rounds: 7,
        subject: {
          name: `command path (memory) with 2 protected fields per event, ${ACCOUNTS.length} subjects, ${label}`,
          setup: async () => {
            await sealed.close();
            sealed = build(sealedDriver());
            await send(sealed, ACCOUNTS.length); // each subject's key made and held: steady state
          },
          run: (n) => send(sealed, n),
        },
        baseline: {
          name: 'the same app, the fields in clear',
          setup: async () => {
            await clear.close();
            clear = build(memoryDriver());
            await send(clear, ACCOUNTS.length);
          },
          run: (n) => send(clear, n),
        },
      };
    },
  };
}

function rebuild(name: string, cipher: Cipher | undefined, label: string): BenchEntry {
  return {
    name,
    make: async () => {
      const key = await master();
      const fill = async (driver: Driver): Promise<void> => {
        for (let i = 0; i < REBUILD_EVENTS / REBUILD_PER; i++) {
          const events: NewEvent[] = [];
          for (let j = 0; j < REBUILD_PER; j++) events.push(Ordered(contact(i)));
          await driver.ledger.append(`customer-${contact(i).customerId}`, events);
        }
      };
      const sealedFile = sqliteDriver({ path: freshPath('protect-sealed') });
      sealedFile.database.exec('PRAGMA synchronous = OFF');
      const sealedDriver = protect(sealedFile, {
        master: key,
        keys: sqliteKeyStore(sealedFile.database),
        events: [Ordered],
        cipher,
      });
      await fill(sealedDriver);
      const clearFile = sqliteDriver({ path: freshPath('protect-clear') });
      clearFile.database.exec('PRAGMA synchronous = OFF');
      await fill(clearFile);
      for (const f of [sealedFile, clearFile]) {
        f.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        f.database.exec('PRAGMA synchronous = NORMAL');
      }
      const sealed = whizbang('bench').perspective(orders).build({ driver: sealedDriver });
      const clear = whizbang('bench').perspective(orders).build({ driver: clearFile });
      return {
        name,
        unit: 'events/s',
        goal: 0.5,
        ops: 1,
        rounds: 5,
        subject: {
          name: `app.rebuild of an inline perspective from ${REBUILD_EVENTS} events with 2 protected fields each (${ACCOUNTS.length} subjects), ${label}`,
          run: async (n) => {
            for (let i = 0; i < n; i++) await sealed.rebuild(orders);
            return n * REBUILD_EVENTS;
          },
        },
        baseline: {
          name: 'the same rebuild, the fields in clear',
          run: async (n) => {
            for (let i = 0; i < n; i++) await clear.rebuild(orders);
            return n * REBUILD_EVENTS;
          },
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [
  commandPath('protect.command.path', nodeCipher(), 'node:crypto cipher'),
  commandPath('protect.command.path.webcrypto', undefined, 'WebCrypto cipher'),
  rebuild('protect.rebuild.sqlite', nodeCipher(), 'node:crypto cipher'),
  rebuild('protect.rebuild.sqlite.webcrypto', undefined, 'WebCrypto cipher'),
];
