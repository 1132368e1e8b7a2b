/** Databases: reopen, schema upgrade and refusals, another tab upgrading, closing, durability. */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../adapters/indexeddb/mod.ts';
import { accountEvent, accountEvents, caught } from '../../../js/conformance/helpers.ts';
import { isWhizbangError } from '../../../js/util/errors.ts';
import {
  all,
  codeOf,
  type IndexedDbContext,
  message,
  openRaw,
  outboxRecord,
  versionOneDatabase,
} from './context.ts';

export function databaseSuite({ label, env, open, fresh }: IndexedDbContext): void {
  describe(`${label}: databases`, () => {
    it('opens a database again and keeps what was written', async () => {
      const name = env.freshName();
      const a = await open(name);
      await a.ledger.append('s', [{ type: 'T', data: { x: 1 } }], {
        inTransaction: (events, tx) =>
          tx.put('p', {
            id: 's',
            tenant: 'default',
            model: { at: new Date(0), seen: events.length },
            version: 1,
            position: 1,
            updatedAt: 0,
          }),
      });
      await a.snapshots.save('Account', 'default', 's', {
        version: 1,
        state: { x: 1 },
        schemaVersion: 1,
        takenAt: 5,
      });
      a.close();
      const b = await open(name);
      expect((await b.ledger.readStream('s')).map((e) => e.data)).toEqual([{ x: 1 }]);
      // models are structured clones: a Date stays a Date
      expect((await b.store.get('p', 'default', 's'))?.model).toEqual({ at: new Date(0), seen: 1 });
      expect(await b.snapshots.load('Account', 'default', 's')).toEqual({
        version: 1,
        state: { x: 1 },
        schemaVersion: 1,
        takenAt: 5,
      });
      expect(b.database.version).toBe(SCHEMA_VERSION);
      b.close();
    });

    it('upgrades a version-1 database in place, keeping its events, models and checkpoints', async () => {
      const name = env.freshName();
      await versionOneDatabase(env.indexedDB, name);
      const driver = await open(name);
      try {
        expect(driver.database.version).toBe(SCHEMA_VERSION);
        const read = await driver.ledger.readAll();
        expect(read.map((e) => [e.position, e.streamId, e.version, e.type, e.data])).toEqual([
          [1, 'a', 1, 'Opened', { n: 1 }],
          [2, 'b', 1, 'Opened', { n: 2 }],
          [3, 'a', 2, 'Deposited', { n: 3 }],
        ]);
        // the indexes added by the upgrade cover the old events
        expect((await driver.ledger.readAll({ types: ['Opened'] })).map((e) => e.position)).toEqual(
          [1, 2],
        );
        expect((await driver.ledger.readAll({ tenant: 'default' })).length).toBe(3);
        expect(await driver.store.get('balances', 'default', 'a')).toMatchObject({
          model: { balance: 3 },
        });
        expect(await driver.store.checkpoint('balances')).toBe(3);
        // and the new stores work
        const next = await driver.ledger.append('a', [accountEvent()], {
          expectedVersion: 2,
          inTransaction: (_events, tx) => tx.outbox!.enqueue([outboxRecord('o1', 1)]),
        });
        expect(next).toMatchObject({ version: 3, position: 4 });
        expect((await driver.store.outbox.pending(10, Date.now())).map((r) => r.id)).toEqual([
          'o1',
        ]);
      } finally {
        driver.close();
      }
    });

    it('refuses a database of a newer schema, and leaves it as it was', async () => {
      const name = env.freshName();
      const raw = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1, (db) => {
        db.createObjectStore('events', { keyPath: 'position' });
        db.createObjectStore('perspectives', { keyPath: ['perspective', 'tenant', 'id'] });
        db.createObjectStore('checkpoints', { keyPath: 'perspective' });
        db.createObjectStore('future', { keyPath: 'id' });
      });
      raw.close();
      const error = await caught(() => open(name));
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
      expect(message(error)).toContain(
        `newer Whizbang (schema ${SCHEMA_VERSION + 1}; this one knows ${SCHEMA_VERSION})`,
      );
      expect(message(error)).toContain(name);
      const after = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1);
      expect(after.version).toBe(SCHEMA_VERSION + 1);
      expect(Array.from(after.objectStoreNames).sort()).toEqual([
        'checkpoints',
        'events',
        'future',
        'perspectives',
      ]);
      after.close();
    });

    it("refuses another application's database, and leaves it as it was", async () => {
      for (const version of [1, SCHEMA_VERSION, SCHEMA_VERSION + 3]) {
        const name = env.freshName();
        const raw = await openRaw(env.indexedDB, name, version, (db) => {
          db.createObjectStore('todos', { keyPath: 'id' }).put({ id: 1, title: 'milk' });
        });
        raw.close();
        const error = await caught(() => open(name));
        expect(codeOf(error)).toBe('INVALID_ARGUMENT');
        expect(message(error)).toMatch(/holds stores of another application \("todos"\)/);
        const after = await openRaw(env.indexedDB, name, version);
        expect(after.version).toBe(version);
        expect(Array.from(after.objectStoreNames)).toEqual(['todos']);
        expect(await all(after, 'todos')).toEqual([{ id: 1, title: 'milk' }]);
        after.close();
      }
    });

    it('another connection upgrading the database closes this one, which then refuses with CLOSED', async () => {
      const name = env.freshName();
      let told = 0;
      const driver = await open(name, {
        onVersionChange: () => {
          told++;
        },
      });
      await driver.ledger.append('s', accountEvents(1));
      // a newer version of the app in another tab: not blocked by this connection
      const newer = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1);
      expect(told).toBe(1);
      const error = await caught(() => driver.ledger.append('s', accountEvents(1)));
      expect(codeOf(error)).toBe('CLOSED');
      expect(message(error)).toMatch(/upgraded or deleted by another tab.*Reload/);
      expect(isWhizbangError(await caught(() => driver.ledger.readAll()), 'CLOSED')).toBe(true);
      newer.close();
    });

    it('a closed driver refuses every call with CLOSED', async () => {
      const driver = await fresh();
      driver.close();
      driver.close();
      const calls: (() => unknown)[] = [
        () => driver.ledger.append('s', accountEvents(1)),
        () => driver.ledger.readStream('s'),
        () => driver.ledger.readAll(),
        () => driver.ledger.headPosition(),
        () => driver.store.get('p', 'default', 'x'),
        () => driver.store.transaction((tx) => tx.setCheckpoint('p', 1)),
        () => driver.store.outbox.pending(1, 0),
        () => driver.snapshots.load('k', 'default', 'x'),
        () => driver.storage(),
        () => driver.compact({ inboxBefore: 0 }),
      ];
      for (const call of calls) {
        const error = await caught(call);
        expect(codeOf(error)).toBe('CLOSED');
      }
    });

    it('takes a durability of strict, relaxed or default, and refuses another', async () => {
      for (const durability of ['strict', 'relaxed', 'default'] as const) {
        const driver = await open(env.freshName(), { durability });
        await driver.ledger.append('s', accountEvents(2));
        expect(await driver.ledger.streamVersion('s')).toBe(2);
        driver.close();
      }
      const error = await caught(() => open(env.freshName(), { durability: 'eventual' as never }));
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    });
  });
}
