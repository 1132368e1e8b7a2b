/** Storage pressure: counts per store and compaction. */
import { describe, expect, it } from 'vitest';
import { accountEvents, caught, sleep } from '../../../js/conformance/helpers.ts';
import { codeOf, type IndexedDbContext, outboxRecord } from './context.ts';

export function storageSuite({ label, env, open, fresh }: IndexedDbContext): void {
  describe(`${label}: storage`, () => {
    it('counts what each store holds', async () => {
      const driver = await fresh();
      try {
        await driver.ledger.append('s', accountEvents(3), {
          inTransaction: async (events, tx) => {
            await tx.put('p', {
              id: 's',
              tenant: 'default',
              model: {},
              version: 3,
              position: events[2]!.position,
              updatedAt: 0,
            });
            await tx.setCheckpoint('p', 3);
            await tx.outbox!.enqueue([outboxRecord('o', 1)]);
            await tx.outbox!.markHandled('default', 'in-1');
          },
        });
        await driver.snapshots.save('Account', 'default', 's', {
          version: 3,
          state: {},
          schemaVersion: 1,
          takenAt: 0,
        });
        const report = await driver.storage();
        expect(report.counts).toEqual({
          events: 3,
          perspectives: 1,
          checkpoints: 1,
          snapshots: 1,
          outbox: 1,
          inbox: 1,
        });
        const estimate = (globalThis as { navigator?: { storage?: unknown } }).navigator?.storage;
        if (estimate === undefined) expect(report.usage).toBeUndefined();
        else expect(report.usage).toBeGreaterThan(0);
      } finally {
        driver.close();
      }
    });

    it('compacts old inbox entries and the history snapshots cover, never what is still needed', async () => {
      const name = env.freshName();
      const driver = await open(name);
      // another tab that hears no notices: it goes on from the versions it saw
      const other = await open(name, { broadcast: false });
      const { ledger } = driver;
      try {
        await ledger.append('a', accountEvents(5)); // 1..5
        await ledger.append('b', accountEvents(3)); // 6..8
        await ledger.append('c', accountEvents(2)); // 9..10
        await ledger.append('a', accountEvents(2)); // 11..12: a is at version 7
        await driver.store.transaction(async (tx) => {
          await tx.outbox!.markHandled('default', 'old');
          await tx.setCheckpoint('slow', 8); // a perspective that has applied up to position 8
        });
        const snap = (version: number) => ({ version, state: {}, schemaVersion: 1, takenAt: 0 });
        await driver.snapshots.save('Account', 'default', 'a', snap(6));
        await driver.snapshots.save('Audit', 'default', 'a', snap(4));
        await driver.snapshots.save('Account', 'default', 'b', snap(3));
        const cutoff = Date.now() + 1;
        await sleep(2);
        await driver.store.transaction((tx) => tx.outbox!.markHandled('default', 'new'));

        const streams = [
          { streamId: 'a', before: 100 }, // every snapshot covers through 4
          { streamId: 'b', before: 100 }, // covered through 3: the whole stream
          { streamId: 'c', before: 100 }, // no snapshot: nothing goes
        ];
        expect(await driver.compact({ inboxBefore: cutoff, streams })).toEqual({
          inbox: 1,
          events: 4 + 3,
        });
        expect((await ledger.readStream('a')).map((e) => e.version)).toEqual([5, 6, 7]);
        expect(await ledger.readStream('b')).toEqual([]);
        expect((await ledger.readStream('c')).map((e) => e.version)).toEqual([1, 2]);
        expect((await ledger.readAll()).map((e) => e.position)).toEqual([5, 9, 10, 11, 12]);
        expect((await ledger.readAll({ limit: 2 })).map((e) => e.position)).toEqual([5, 9]);
        expect((await ledger.readAll({ from: 2, limit: 1 })).map((e) => e.position)).toEqual([5]);
        expect(await ledger.streamVersion('b')).toBe(3);
        expect(await ledger.headPosition()).toBe(12);
        expect(await driver.store.outbox.handled('default', 'old')).toBe(false);
        expect(await driver.store.outbox.handled('default', 'new')).toBe(true);
        expect(await driver.compact({ streams })).toEqual({ inbox: 0, events: 0 });

        // a checkpoint holds back what its perspective has not applied
        expect(await other.ledger.streamVersion('a')).toBe(7);
        await ledger.append('a', accountEvents(2)); // 13..14: a at 9
        await driver.snapshots.save('Account', 'default', 'a', snap(8));
        await driver.snapshots.save('Audit', 'default', 'a', snap(8));
        expect(await driver.compact({ streams: [{ streamId: 'a', before: 100 }] })).toEqual({
          inbox: 0,
          events: 1, // version 5 (position 5); version 6 is at position 11, past the checkpoint
        });
        await driver.store.transaction((tx) => tx.setCheckpoint('slow', 100));
        expect(await driver.compact({ streams: [{ streamId: 'a', before: 100 }] })).toEqual({
          inbox: 0,
          events: 3, // versions 6..8
        });
        expect((await ledger.readStream('a')).map((e) => e.version)).toEqual([9]);
        // the other tab saw version 7; versions 8 and 9 are taken, compacted or not
        const late = await other.ledger.append('a', accountEvents(1));
        expect(late).toMatchObject({ version: 10, position: 15 });
        expect((await ledger.readStream('a')).map((e) => [e.version, e.position])).toEqual([
          [9, 14],
          [10, 15],
        ]);
        expect((await driver.storage()).counts.events).toBe(15);

        const bad = await caught(() => driver.compact({ streams: [{ streamId: 'a', before: 0 }] }));
        expect(codeOf(bad)).toBe('INVALID_ARGUMENT');
      } finally {
        driver.close();
        other.close();
      }
    });
  });
}
