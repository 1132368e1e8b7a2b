/**
 * The sealed index's lookups: per event type the segments holding it (a typed read over few
 * segments fetches only those, by key), per stream where its records are in each segment (a
 * stream read decodes only them), an index written without either (an older version's) read as
 * before until `verify` writes them, and the index's check at first use instead of at open.
 * Imports nothing of Node.
 */
import { describe, expect, it } from 'vitest';
import { caught } from '../../../js/conformance/helpers.ts';
import type { NewEvent } from '../../../js/mod.ts';
import { isCorruptDataError } from '../../../js/util/errors.ts';
import type { IndexedDbContext } from './context.ts';
import { rawChange } from './segments.ts';

const single = { segments: { size: 1, background: false } } as const;

/** `n` events of one type, each with its index. */
const events = (n: number, type = 'Deposited'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type, data: { i, note: 'ü€ deposit' } }));

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

/** Flips a bit in the data of record `n` (from 0) of the segment at `key`; resolves to its offset. */
async function damageRecord(
  env: IndexedDbContext['env'],
  name: string,
  key: number,
  n: number,
): Promise<number> {
  let offset = 0;
  await rawChange(env.indexedDB, name, (tx) => {
    const store = tx.objectStore('segments');
    const get = store.get(key);
    get.onsuccess = () => {
      const record = get.result as { bytes: Uint8Array };
      const bytes = record.bytes.slice();
      const dv = new DataView(bytes.buffer);
      let at = 20;
      for (let i = 0; i < n; i++) at += dv.getUint32(at, true);
      offset = at + dv.getUint32(at, true) - 3; // in its data JSON
      bytes[offset] = bytes[offset]! ^ 0x20;
      store.put({ ...record, bytes }, key);
    };
  });
  return offset;
}

/** Reads the `sealed` store's record at `key` raw. */
async function rawGet(env: IndexedDbContext['env'], name: string, key: IDBValidKey) {
  let value: unknown;
  await rawChange(env.indexedDB, name, (tx) => {
    const get = tx.objectStore('sealed').get(key);
    get.onsuccess = () => {
      value = get.result;
    };
  });
  return value;
}

const manual = { segments: { size: 8, background: false } } as const;

export function segmentOffsetsSuite({ label, env, open }: IndexedDbContext): void {
  describe(`${label}: stream reads by the index's offsets, the check at first use`, () => {
    it("a stream read decodes its own records only; another stream's damage is found by the reads that return it", async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      await d.ledger.append('a', events(2));
      await d.ledger.append('b', events(2));
      await d.ledger.append('a', events(2));
      await d.ledger.append('b', events(2)); // one segment: a a b b a a b b
      expect(await d.segments!.seal()).toBe(8);
      const entry = (await rawGet(env, name, ['s', 'default', 'a'])) as { at: number[][] };
      expect(entry.at.length).toBe(1);
      expect(entry.at[0]!.filter((_, i) => i % 2 === 1)).toEqual([2, 2]); // two runs of two
      const a = await d.ledger.readStream('a');
      d.close();
      const offset = await damageRecord(env, name, 1, 2); // b's first record
      const fresh = await open(name, manual);
      try {
        expect(await fresh.ledger.readStream('a')).toEqual(a);
        for (const read of [() => fresh.ledger.readStream('b'), () => fresh.ledger.readAll()]) {
          const error = await caught(read);
          expect(isCorruptDataError(error)).toBe(true);
          expect((error as { reason: string }).reason).toBe('bad-checksum');
          expect((error as { offset: number }).offset).toBeLessThanOrEqual(offset);
          expect((error as { offset: number }).offset).toBeGreaterThan(20);
        }
        const whole = await caught(() => fresh.segments!.verify());
        expect(isCorruptDataError(whole)).toBe(true);
      } finally {
        fresh.close();
      }
    });

    it('offsets that name the wrong records, or none (an older index), still read right, and are rebuilt', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      try {
        await d.ledger.append('a', events(3));
        await d.ledger.append('b', events(5));
        await d.ledger.append('a', events(8)); // segments 1 and 9
        await d.segments!.seal();
        const a = await d.ledger.readStream('a');
        const slice = await d.ledger.readStream('a', { from: 4, to: 6 });
        const b = (await rawGet(env, name, ['s', 'default', 'b'])) as { at: number[][] };
        // a's offsets swapped for b's: the records found are not a's
        await rawChange(env.indexedDB, name, (tx) =>
          tx
            .objectStore('sealed')
            .put({ version: 11, segs: [1, 9], at: [b.at[0], [20, 8]] }, ['s', 'default', 'a']),
        );
        const fresh = await open(name, manual);
        try {
          expect(await fresh.ledger.readStream('a')).toEqual(a);
          expect((await fresh.segments!.verify()).rebuilt).toBe(false); // the read rebuilt it
          // an index written before offsets were kept
          await rawChange(env.indexedDB, name, (tx) =>
            tx.objectStore('sealed').put({ version: 11, segs: [1, 9] }, ['s', 'default', 'a']),
          );
          expect(await fresh.ledger.readStream('a', { from: 4, to: 6 })).toEqual(slice);
          expect(await fresh.ledger.readStream('a')).toEqual(a);
          expect((await fresh.segments!.verify()).rebuilt).toBe(true);
          expect((await rawGet(env, name, ['s', 'default', 'a'])) as object).toHaveProperty('at');
        } finally {
          fresh.close();
        }
      } finally {
        d.close();
      }
    });

    it('opening checks nothing; the first read or append finds a lost index and rebuilds it first', async () => {
      const name = env.freshName();
      const d = await open(name, manual);
      await d.ledger.append('a', events(5));
      await d.ledger.append('b', events(3));
      await d.segments!.seal();
      const a = await d.ledger.readStream('a');
      d.close();
      for (const first of ['readStream', 'append'] as const) {
        await rawChange(env.indexedDB, name, (tx) => tx.objectStore('sealed').clear());
        const again = await open(name, manual);
        try {
          expect(await rawGet(env, name, 'head')).toBeUndefined(); // the open did not look
          if (first === 'readStream') expect(await again.ledger.readStream('a')).toEqual(a);
          else {
            const r = await again.ledger.append('b', events(1), { expectedVersion: 3 });
            expect([r.position, r.version]).toEqual([9, 4]);
          }
          expect(await rawGet(env, name, 'head')).toMatchObject({ through: 8, segments: 1 });
        } finally {
          again.close();
        }
      }
    });
  });
}
