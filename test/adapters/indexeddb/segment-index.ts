/**
 * The sealed index's lookups: per event type the segments holding it (a typed read over few
 * segments fetches only those, by key), and an index written without them (an older version's)
 * read as before until `verify` writes them. Imports nothing of Node.
 */
import { describe, expect, it } from 'vitest';
import { caught } from '../../../js/conformance/helpers.ts';
import type { NewEvent } from '../../../js/mod.ts';
import { isCorruptDataError } from '../../../js/util/errors.ts';
import type { IndexedDbContext } from './context.ts';
import { rawChange } from './segments.ts';

const single = { segments: { size: 1, background: false } } as const;

/** Damages the bytes of the segments at `keys` (a flipped bit in the last record's data). */
const damage = (keys: readonly number[]) => (tx: IDBTransaction) => {
  const store = tx.objectStore('segments');
  for (const key of keys) {
    const get = store.get(key);
    get.onsuccess = () => {
      const record = get.result as { bytes: Uint8Array };
      const bytes = record.bytes.slice();
      bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20;
      store.put({ ...record, bytes }, key);
    };
  }
};

/** 16 one-event segments: `Withdrawn` at positions 3 and 11, the rest `Deposited`. */
const sixteen: NewEvent[] = Array.from({ length: 16 }, (_, i) => ({
  type: i === 2 || i === 10 ? 'Withdrawn' : 'Deposited',
  data: { i },
}));
const others = [1, 2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16];

export function segmentIndexSuite({ label, env, open }: IndexedDbContext): void {
  describe(`${label}: the sealed index's lookups`, () => {
    it('a typed read over few segments fetches them by the per-type lists, no other segment listed or read', async () => {
      const name = env.freshName();
      const d = await open(name, single);
      try {
        await d.ledger.append('a', sixteen);
        expect(await d.segments!.seal({ all: true })).toBe(16);
        expect((await d.segments!.verify()).rebuilt).toBe(false);
        // without the per-segment types and with the other segments damaged, only the lists can answer
        await rawChange(env.indexedDB, name, (tx) => {
          tx.objectStore('sealed').delete(env.IDBKeyRange.bound(['y'], ['y', []]));
          damage(others)(tx);
        });
        const fresh = await open(name, single);
        try {
          const typed = await fresh.ledger.readAll({ types: ['Withdrawn'] });
          expect(typed.map((e) => [e.position, e.type])).toEqual([
            [3, 'Withdrawn'],
            [11, 'Withdrawn'],
          ]);
          expect(
            (await fresh.ledger.readAll({ types: ['Withdrawn'], from: 4 })).map((e) => e.position),
          ).toEqual([11]);
          expect(
            (await fresh.ledger.readAll({ types: ['Withdrawn'], limit: 1 })).map((e) => e.position),
          ).toEqual([3]);
          expect(await fresh.ledger.readAll({ types: ['Nothing'] })).toEqual([]);
          // a type in most segments goes the listing way: the damage is found
          const error = await caught(() => fresh.ledger.readAll({ types: ['Deposited'] }));
          expect(isCorruptDataError(error)).toBe(true);
        } finally {
          fresh.close();
        }
      } finally {
        d.close();
      }
    });

    it('an index without the per-type lists reads as before, and verify writes them', async () => {
      const name = env.freshName();
      const d = await open(name, single);
      try {
        await d.ledger.append('a', sixteen);
        await d.segments!.seal({ all: true });
        const expected = await d.ledger.readAll({ types: ['Withdrawn'] });
        // an index of the version before: no lists, and a head that does not claim them
        await rawChange(env.indexedDB, name, (tx) => {
          const sealed = tx.objectStore('sealed');
          sealed.delete(env.IDBKeyRange.bound(['t'], ['t', []]));
          const head = sealed.get('head');
          head.onsuccess = () => {
            const { byType: _, ...older } = head.result as { byType?: true };
            sealed.put(older, 'head');
          };
        });
        const older = await open(name, single);
        try {
          expect(await older.ledger.readAll({ types: ['Withdrawn'] })).toEqual(expected);
          // it seals on without lists (they would be partial)
          await older.ledger.append('b', [{ type: 'Withdrawn', data: { i: 16 } }]);
          await older.segments!.seal({ all: true });
          const more = await older.ledger.readAll({ types: ['Withdrawn'] });
          expect(more.map((e) => e.position)).toEqual([3, 11, 17]);
          expect((await older.segments!.verify()).rebuilt).toBe(true);
          expect((await older.segments!.verify()).rebuilt).toBe(false);
          // the lists are back and used: damaged segments without the type are not fetched
          await rawChange(env.indexedDB, name, (tx) => {
            tx.objectStore('sealed').delete(env.IDBKeyRange.bound(['y'], ['y', []]));
            damage(others)(tx);
          });
          expect(
            (await older.ledger.readAll({ types: ['Withdrawn'] })).map((e) => e.position),
          ).toEqual([3, 11, 17]);
        } finally {
          older.close();
        }
      } finally {
        d.close();
      }
    });

    it('a damaged per-type list is found by verify and rebuilt', async () => {
      const name = env.freshName();
      const d = await open(name, single);
      try {
        await d.ledger.append('a', sixteen);
        await d.segments!.seal({ all: true });
        await rawChange(env.indexedDB, name, (tx) =>
          tx.objectStore('sealed').put([3], ['t', 'Withdrawn']),
        );
        expect((await d.segments!.verify()).rebuilt).toBe(true);
        expect((await d.ledger.readAll({ types: ['Withdrawn'] })).map((e) => e.position)).toEqual([
          3, 11,
        ]);
        // replaceTail unseals segments 11 on: the list forgets them, and verify agrees
        await d.ledger.replaceTail!('a', 10, [{ type: 'Replaced', data: {} }]);
        expect((await d.segments!.verify()).rebuilt).toBe(false);
        expect((await d.ledger.readAll({ types: ['Withdrawn'] })).map((e) => e.position)).toEqual([
          3,
        ]);
        await d.segments!.seal({ all: true });
        expect((await d.segments!.verify()).rebuilt).toBe(false);
      } finally {
        d.close();
      }
    });
  });
}
