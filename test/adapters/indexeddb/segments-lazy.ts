/**
 * The segment store's code loads only when it is needed: a database that holds segments, opened
 * without `segments`, still reads its sealed events and appends after them (the segment store
 * loads at open, sealing nothing by itself); a database without segments, opened without it, has
 * no segment store and never seals; a refused `segments` option keeps no connection open, and
 * another tab's upgrade while the segment store opens closes the driver instead of waiting on it.
 * Imports nothing of Node.
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../adapters/indexeddb/mod.ts';
import { caught, range, sleep } from '../../../js/conformance/helpers.ts';
import type { NewEvent } from '../../../js/mod.ts';
import { isConcurrencyError } from '../../../js/util/errors.ts';
import { all, codeOf, type IndexedDbContext, openRaw } from './context.ts';

const manual = { segments: { size: 4, background: false } } as const;
const off = { segments: false } as const;

/** `n` events of type `type`, each with its index. */
const events = (n: number, type = 'Deposited'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type, data: { i } }));

/** How many records the database's `store` holds, read by hand. */
async function count(factory: IDBFactory, name: string, store: string): Promise<number> {
  const db = await openRaw(factory, name, SCHEMA_VERSION);
  try {
    return (await all(db, store)).length;
  } finally {
    db.close();
  }
}

/**
 * Deletes the database; rejects when a connection still blocks it after a while (a closing one
 * may block it for a moment: Chromium says so while its last transactions end).
 */
function remove(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => {
      timer = setTimeout(
        () => reject(new Error(`deleting "${name}" is blocked by an open connection`)),
        3_000,
      );
    };
  });
}

export function segmentsLazySuite({ label, env, open }: IndexedDbContext): void {
  const fresh = () => `seglazy-${env.freshName()}`;

  describe(`${label}: segments loaded when needed`, () => {
    it('a database that holds segments, opened without `segments`, reads them and appends after them', async () => {
      const name = fresh();
      const sealer = await open(name, manual);
      await sealer.ledger.append('a', events(3, 'Opened'));
      await sealer.ledger.append('b', events(4), { tenant: 't2' });
      await sealer.ledger.append('a', events(3));
      const before = await sealer.ledger.readAll();
      expect(await sealer.segments!.seal({ all: true })).toBe(10);
      sealer.close();
      expect(await count(env.indexedDB, name, 'events')).toBe(0);

      const d = await open(name, off);
      try {
        expect(d.segments).toBeDefined();
        expect(await d.ledger.readAll()).toEqual(before);
        expect((await d.ledger.readStream('a')).map((e) => e.version)).toEqual(range(1, 6));
        expect(await d.ledger.readAll({ types: ['Opened'] })).toEqual(before.slice(0, 3));
        expect(await d.ledger.headPosition()).toBe(10);
        expect(await d.ledger.streamVersion('b', { tenant: 't2' })).toBe(4);
        // appends count the sealed part: no position or version is given twice
        const next = await d.ledger.append('a', events(1), { expectedVersion: 6 });
        expect([next.position, next.version]).toEqual([11, 7]);
        const stale = await caught(() =>
          d.ledger.append('b', events(1), { expectedVersion: 3, tenant: 't2' }),
        );
        expect(isConcurrencyError(stale)).toBe(true);
        const [batch] = await d.ledger.appendBatch([
          { streamId: 'b', events: events(1), options: { tenant: 't2', expectedVersion: 4 } },
        ]);
        expect([batch!.position, batch!.version]).toEqual([12, 5]);
        // replaceTail reaches into the sealed part: its segments become recent records again
        const replaced = await d.ledger.replaceTail('a', 5, events(1, 'Replaced'));
        expect([replaced.position, replaced.version]).toEqual([13, 6]);
        expect((await d.ledger.readStream('a')).map((e) => e.type)).toEqual([
          'Opened',
          'Opened',
          'Opened',
          'Deposited',
          'Deposited',
          'Replaced',
        ]);
        // the app did not ask to seal: nothing is sealed in the background
        const segments = await count(env.indexedDB, name, 'segments');
        for (let i = 0; i < 3; i++) await d.ledger.append('c', events(4));
        await sleep(30);
        expect(await count(env.indexedDB, name, 'segments')).toBe(segments);
        expect((await d.segments!.verify()).rebuilt).toBe(false);
        // a's versions 6 and 7 (positions 10, 11) were replaced by position 13
        expect((await d.ledger.readAll()).map((e) => e.position)).toEqual([
          ...range(1, 9),
          ...range(12, 25),
        ]);
      } finally {
        d.close();
        await remove(env.indexedDB, name);
      }
    });

    it('a database without segments, opened without `segments`, has no segment store and never seals', async () => {
      const name = fresh();
      const d = await open(name, off);
      try {
        expect(d.segments).toBeUndefined();
        for (let i = 0; i < 4; i++) await d.ledger.append(`s${i}`, events(4));
        await sleep(30);
        expect(await d.ledger.headPosition()).toBe(16);
        expect(await count(env.indexedDB, name, 'segments')).toBe(0);
        expect(await count(env.indexedDB, name, 'events')).toBe(16);
      } finally {
        d.close();
        await remove(env.indexedDB, name);
      }
    });

    it('another tab upgrading the database while the segment store opens is not kept waiting', async () => {
      const name = fresh();
      const sealer = await open(name, manual);
      await sealer.ledger.append('a', events(4));
      await sealer.segments!.seal({ all: true });
      sealer.close();
      let told = 0;
      // the upgrade's versionchange reaches the driver while it loads and opens its segment store
      const opening = open(name, { ...off, onVersionChange: () => told++ });
      const upgrading = new Promise<IDBDatabase>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const request = env.indexedDB.open(name, SCHEMA_VERSION + 1);
        request.onsuccess = () => {
          clearTimeout(timer);
          resolve(request.result);
        };
        request.onerror = () => reject(request.error);
        request.onblocked = () => {
          timer = setTimeout(() => reject(new Error('the upgrade is blocked')), 3_000);
        };
      });
      const outcome = await opening.then(
        async (d) => codeOf(await caught(() => d.ledger.readAll())),
        (error: unknown) => codeOf(error),
      );
      (await upgrading).close();
      expect(outcome).toBe('CLOSED');
      expect(told).toBe(1);
      await remove(env.indexedDB, name);
    });

    it('a refused `segments` option keeps no connection open', async () => {
      const name = fresh();
      const refused = await caught(() => open(name, { segments: { size: 0 } }));
      expect(codeOf(refused)).toBe('INVALID_ARGUMENT');
      await remove(env.indexedDB, name);
    });
  });
}
