/**
 * The segment store's own tests: sealing moves events into segments and reads answer the same,
 * appends after sealing keep positions and versions (two connections too), a damaged segment is a
 * CORRUPT_DATA error with its offset, a missing or damaged index is rebuilt from the segments, and
 * a database of an older schema opens with its events. Imports nothing of Node.
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../adapters/indexeddb/mod.ts';
import { accountEvent, caught, range } from '../../../js/conformance/helpers.ts';
import type { NewEvent } from '../../../js/mod.ts';
import { isConcurrencyError, isCorruptDataError } from '../../../js/util/errors.ts';
import { all, type IndexedDbContext, openRaw, versionOneDatabase } from './context.ts';

const manual = { segments: { size: 4, background: false } } as const;
const single = { segments: { size: 1, background: false } } as const;

/** `n` events of type `type`, each with its index. */
const events = (n: number, type = 'Deposited'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type, data: { i, note: 'ü€ deposit' } }));

/** Runs a read-write change on the segment stores by hand (a damaged disk, a lost store). */
export async function rawChange(
  factory: IDBFactory,
  name: string,
  change: (tx: IDBTransaction) => void,
): Promise<void> {
  const db = await openRaw(factory, name, SCHEMA_VERSION);
  const tx = db.transaction(['segments', 'sealed'], 'readwrite');
  change(tx);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

export function segmentsSuite({ label, env, open }: IndexedDbContext): void {
  describe(`${label}: segments`, () => {
    it('seals full segments, keeps the rest recent, and every read answers as before', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(3, 'Opened'));
        await d.ledger.append('b', events(4), { tenant: 't2' });
        await d.ledger.append('a', events(3));
        const before = {
          all: await d.ledger.readAll(),
          a: await d.ledger.readStream('a'),
          b: await d.ledger.readStream('b', { tenant: 't2' }),
          typed: await d.ledger.readAll({ types: ['Opened'] }),
          tenant: await d.ledger.readAll({ tenant: 't2', from: 2 }),
          page: await d.ledger.readAll({ from: 3, limit: 5 }),
          slice: await d.ledger.readStream('a', { from: 2, to: 5 }),
        };
        expect(await d.segments!.seal()).toBe(8);
        const db = await openRaw(env.indexedDB, name, SCHEMA_VERSION);
        expect((await all(db, 'events')).length).toBe(2);
        expect((await all(db, 'segments')).length).toBe(2);
        db.close();
        expect(await d.ledger.readAll()).toEqual(before.all);
        expect(await d.ledger.readStream('a')).toEqual(before.a);
        expect(await d.ledger.readStream('b', { tenant: 't2' })).toEqual(before.b);
        expect(await d.ledger.readAll({ types: ['Opened'] })).toEqual(before.typed);
        expect(await d.ledger.readAll({ tenant: 't2', from: 2 })).toEqual(before.tenant);
        expect(await d.ledger.readAll({ from: 3, limit: 5 })).toEqual(before.page);
        expect(await d.ledger.readStream('a', { from: 2, to: 5 })).toEqual(before.slice);
        expect(await d.ledger.headPosition()).toBe(10);
        expect(await d.ledger.streamVersion('b', { tenant: 't2' })).toBe(4);
        // the rest too; appends carry on after the sealed part
        expect(await d.segments!.seal({ all: true })).toBe(2);
        const next = await d.ledger.append('a', events(1), { expectedVersion: 6 });
        expect([next.position, next.version]).toEqual([11, 7]);
        const stale = await caught(() =>
          d.ledger.append('b', events(1), { expectedVersion: 3, tenant: 't2' }),
        );
        expect(isConcurrencyError(stale)).toBe(true);
        expect((await d.ledger.readAll()).map((e) => e.position)).toEqual(range(1, 11));
        expect(await d.segments!.verify()).toEqual({
          segments: 3,
          events: 10,
          through: 10,
          rebuilt: false,
        });
      } finally {
        d.close();
      }
    });

    it('another connection whose memory is behind the sealed part neither doubles a version nor a position', async () => {
      const name = env.freshName();
      const [a, b] = [await open(name, manual), await open(name, { ...manual, broadcast: false })];
      try {
        await b.ledger.append('s', events(2)); // b remembers s at 2, the head at 2
        await a.ledger.append('s', events(2)); // 3, 4: b is not told (no broadcast)
        await a.ledger.append('t', events(4));
        await a.segments!.seal({ all: true });
        const landed = await b.ledger.append('s', [accountEvent('Late')]);
        expect([landed.version, landed.position]).toEqual([5, 9]);
        const conflict = await caught(() =>
          b.ledger.append('s', events(1), { expectedVersion: 2 }),
        );
        expect(isConcurrencyError(conflict)).toBe(true);
        expect((await a.ledger.readStream('s')).map((e) => e.version)).toEqual(range(1, 5));
        expect((await b.ledger.readAll()).map((e) => e.position)).toEqual(range(1, 9));
      } finally {
        a.close();
        b.close();
      }
    });

    it('a damaged segment is CORRUPT_DATA with its offset, for every read and for verify', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(4));
        await d.segments!.seal();
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          const get = store.get(1);
          get.onsuccess = () => {
            const record = get.result as { bytes: Uint8Array };
            const bytes = record.bytes.slice();
            bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20; // a byte of the last record's data
            store.put({ ...record, bytes }, 1);
          };
        });
        for (const read of [
          () => d.ledger.readAll(),
          () => d.ledger.readStream('a'),
          () => d.ledger.readAll({ types: ['Deposited'] }),
          () => d.segments!.verify(),
        ]) {
          const error = await caught(read);
          expect(isCorruptDataError(error)).toBe(true);
          expect((error as { code: string }).code).toBe('CORRUPT_DATA');
          expect((error as { reason: string }).reason).toBe('bad-checksum');
          expect((error as { offset: number }).offset).toBeGreaterThan(20);
        }
        // truncated bytes too
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          const get = store.get(1);
          get.onsuccess = () => {
            const record = get.result as { bytes: Uint8Array };
            store.put({ ...record, bytes: record.bytes.slice(0, 50) }, 1);
          };
        });
        const cut = await caught(() => d.ledger.readAll());
        expect((cut as { reason: string }).reason).toBe('truncated');
      } finally {
        d.close();
      }
    });

    it('fuzz: any byte of a segment changed, or its end cut, makes every read CORRUPT_DATA', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      await d.ledger.append('a', events(4));
      await d.ledger.append('b', events(4));
      await d.segments!.seal();
      d.close();
      let seed = 0x9e3779b9;
      const random = (n: number): number => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed % n;
      };
      for (let round = 0; round < 24; round++) {
        const key = random(2) === 0 ? 1 : 5;
        let original: Uint8Array | undefined;
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          const get = store.get(key);
          get.onsuccess = () => {
            const record = get.result as { bytes: Uint8Array };
            original = record.bytes;
            let bytes = record.bytes.slice();
            if (round % 4 === 3) bytes = bytes.slice(0, random(bytes.length));
            else bytes[random(bytes.length)] = bytes[random(bytes.length)]! ^ (1 + random(255));
            store.put({ ...record, bytes }, key);
          };
        });
        const fresh = await open(name, manual);
        try {
          // a typed read fetches only segments that hold a wanted type
          expect(await fresh.ledger.readAll({ types: ['Nothing'] })).toEqual([]);
          for (const read of [
            () => fresh.ledger.readAll({ types: ['Deposited'] }),
            () => fresh.ledger.readAll(),
            () => fresh.ledger.readStream(key === 1 ? 'a' : 'b'),
          ]) {
            const error = await caught(read);
            expect(isCorruptDataError(error) ? 'CORRUPT_DATA' : String(error)).toBe('CORRUPT_DATA');
          }
        } finally {
          fresh.close();
        }
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          const get = store.get(key);
          get.onsuccess = () => store.put({ ...(get.result as object), bytes: original }, key);
        });
      }
      const healthy = await open(name, manual);
      expect((await healthy.ledger.readAll()).length).toBe(8);
      healthy.close();
    });

    it('a lost or damaged index is rebuilt from the segments', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      await d.ledger.append('a', events(5));
      await d.ledger.append('b', events(3));
      await d.segments!.seal();
      const expected = await d.ledger.readAll();
      d.close();
      // lost: the whole index
      await rawChange(env.indexedDB, name, (tx) => tx.objectStore('sealed').clear());
      const again = await open(name, manual);
      try {
        expect(await again.ledger.readAll()).toEqual(expected);
        expect(await again.ledger.headPosition()).toBe(8);
        expect((await again.ledger.append('b', events(1), { expectedVersion: 3 })).position).toBe(
          9,
        );
      } finally {
        again.close();
      }
      // damaged: a stream's entry names no segment
      await rawChange(env.indexedDB, name, (tx) =>
        tx.objectStore('sealed').put({ version: 5, segs: [] }, ['s', 'default', 'a']),
      );
      const third = await open(name, manual);
      try {
        expect((await third.ledger.readStream('a')).map((e) => e.version)).toEqual(range(1, 5));
        expect((await third.segments!.verify()).rebuilt).toBe(false); // the read rebuilt it
      } finally {
        third.close();
      }
    });

    it('a typed read fetches no segment that holds none of the wanted types, and still checks those it reads', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(8)); // segments 1 and 5: Deposited only
        await d.ledger.append('b', events(4, 'Withdrawn')); // segment 9: Withdrawn only
        expect(await d.segments!.seal({ all: true })).toBe(12);
        // damage segments 1 and 5: a read that fetched them would be CORRUPT_DATA
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          for (const key of [1, 5]) {
            const get = store.get(key);
            get.onsuccess = () => {
              const record = get.result as { bytes: Uint8Array };
              const bytes = record.bytes.slice();
              bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20;
              store.put({ ...record, bytes }, key);
            };
          }
        });
        const withdrawn = await d.ledger.readAll({ types: ['Withdrawn'] });
        expect(withdrawn.map((e) => e.position)).toEqual([9, 10, 11, 12]);
        expect(
          (await d.ledger.readAll({ types: ['Withdrawn'], from: 3, limit: 2 })).map(
            (e) => e.position,
          ),
        ).toEqual([9, 10]);
        expect((await d.ledger.readAll({ types: ['Nothing'] })).length).toBe(0);
        for (const read of [
          () => d.ledger.readAll({ types: ['Deposited'] }),
          () => d.ledger.readAll({ types: ['Withdrawn', 'Deposited'] }),
          () => d.ledger.readAll(),
        ]) {
          const error = await caught(read);
          expect(isCorruptDataError(error)).toBe(true);
          expect((error as { reason: string }).reason).toBe('bad-checksum');
        }
      } finally {
        d.close();
      }
    });

    it('a typed read over more segments than one request lists answers as a full read filtered', async () => {
      const name = env.freshName();
      const d = await open(name, single);
      try {
        // 530 segments of one event (one request lists 512): Withdrawn in a few, Opened in every 5th
        const kinds = (i: number) =>
          i < 12 && i >= 8
            ? 'Withdrawn'
            : i >= 518
              ? 'Withdrawn'
              : i % 5 === 0
                ? 'Opened'
                : 'Deposited';
        await d.ledger.append(
          'a',
          Array.from({ length: 530 }, (_, i) => ({ type: kinds(i), data: { i } })),
        );
        expect(await d.segments!.seal({ all: true })).toBe(530);
        const every = await d.ledger.readAll();
        for (const types of [['Withdrawn'], ['Opened'], ['Withdrawn', 'Opened'], ['Deposited']])
          for (const opts of [{}, { from: 6 }, { from: 500, limit: 7 }, { to: 520 }]) {
            const want = every.filter(
              (e) =>
                types.includes(e.type) &&
                e.position >= ((opts as { from?: number }).from ?? 1) &&
                e.position <= ((opts as { to?: number }).to ?? 1e9),
            );
            const limit = (opts as { limit?: number }).limit;
            // a fresh connection: nothing decoded lately, every segment comes from the store
            const fresh = await open(name, single);
            try {
              expect(await fresh.ledger.readAll({ types, ...opts })).toEqual(
                limit === undefined ? want : want.slice(0, limit),
              );
            } finally {
              fresh.close();
            }
          }
      } finally {
        d.close();
      }
    });

    it("an index without the segments' types reads every segment, and verify writes them", async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(8));
        await d.ledger.append('b', events(4, 'Withdrawn'));
        await d.segments!.seal({ all: true });
        const expected = await d.ledger.readAll({ types: ['Withdrawn'] });
        expect(expected.length).toBe(4);
        // an index of an older version: no types
        await rawChange(env.indexedDB, name, (tx) =>
          tx.objectStore('sealed').delete(env.IDBKeyRange.bound(['y'], ['y', []])),
        );
        expect(await d.ledger.readAll({ types: ['Withdrawn'] })).toEqual(expected);
        expect((await d.ledger.readAll({ types: ['Deposited'] })).length).toBe(8);
        expect((await d.segments!.verify()).rebuilt).toBe(true);
        expect((await d.segments!.verify()).rebuilt).toBe(false);
        // the types are back: a damaged segment without the wanted type is not fetched
        await rawChange(env.indexedDB, name, (tx) => {
          const store = tx.objectStore('segments');
          const get = store.get(1);
          get.onsuccess = () => {
            const record = get.result as { bytes: Uint8Array };
            store.put({ ...record, bytes: record.bytes.slice(0, 50) }, 1);
          };
        });
        expect(await d.ledger.readAll({ types: ['Withdrawn'] })).toEqual(expected);
      } finally {
        d.close();
      }
    });

    it('replaceTail reaches into sealed events: they become recent, and the rest stays sealed', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(6));
        await d.ledger.append('b', events(2));
        await d.segments!.seal({ all: true });
        const r = await d.ledger.replaceTail!('a', 5, [accountEvent('Replaced')]);
        expect([r.version, r.position]).toEqual([6, 9]);
        const a = await d.ledger.readStream('a');
        expect(a.map((e) => e.type)).toEqual([...new Array(5).fill('Deposited'), 'Replaced']);
        expect((await d.ledger.readAll()).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]);
        expect(await d.segments!.seal({ all: true })).toBe(4);
        expect((await d.ledger.readStream('a')).map((e) => e.type).at(-1)).toBe('Replaced');
        expect((await d.segments!.verify()).rebuilt).toBe(false);
      } finally {
        d.close();
      }
    });

    it('opens a database of an older schema with its events, and seals them', async () => {
      const name = env.freshName();
      await versionOneDatabase(env.indexedDB, name);
      const d = await open(name, { segments: { size: 2, background: false } });
      try {
        expect(d.database.version).toBe(SCHEMA_VERSION);
        const before = await d.ledger.readAll();
        expect(before.map((e) => e.position)).toEqual([1, 2, 3]);
        expect(await d.segments!.seal({ all: true })).toBe(3);
        expect(await d.ledger.readAll()).toEqual(before);
      } finally {
        d.close();
      }
    });
  });
}
