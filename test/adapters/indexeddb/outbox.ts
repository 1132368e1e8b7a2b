/** The outbox, the inbox and snapshots. */
import { describe, expect, it } from 'vitest';
import { accountEvents, caught } from '../../../js/conformance/helpers.ts';
import { isWhizbangError } from '../../../js/util/errors.ts';
import { codeOf, type IndexedDbContext, outboxRecord } from './context.ts';

export function outboxSuite({ label, fresh }: IndexedDbContext): void {
  describe(`${label}: outbox, inbox and snapshots`, () => {
    it('keeps outbox records in order, retries, delivers and dead-letters them', async () => {
      const driver = await fresh();
      const { outbox } = driver.store;
      try {
        await driver.ledger.append('s', accountEvents(1), {
          inTransaction: (_events, tx) =>
            tx.outbox!.enqueue([outboxRecord('a', 10), outboxRecord('b', 11)]),
        });
        await driver.store.transaction((tx) =>
          tx.outbox!.enqueue([outboxRecord('c', 12), outboxRecord('d', 13)]),
        );
        expect((await outbox.pending(10, 100)).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
        expect(await outbox.pending(2, 100)).toEqual([
          outboxRecord('a', 10),
          outboxRecord('b', 11),
        ]);
        await outbox.retryLater('a', 'transport down', 500);
        // commands of one topic are one line, which waits for its first record
        expect(await outbox.pending(10, 100)).toEqual([]);
        expect((await outbox.pending(10, 500))[0]).toEqual({
          ...outboxRecord('a', 10),
          attempts: 1,
          availableAt: 500,
          lastError: 'transport down',
        });
        await outbox.delivered(['b', 'c', 'nope']);
        await outbox.deadLetter('d', 'refused', 600);
        await outbox.deadLetter('nope', 'refused', 600);
        expect((await outbox.pending(10, 1000)).map((r) => r.id)).toEqual(['a']);
        expect(await outbox.deadLetters()).toEqual([
          { ...outboxRecord('d', 13), attempts: 1, lastError: 'refused', deadAt: 600 },
        ]);
        // a rolled-back append leaves no outbox record
        await caught(() =>
          driver.ledger.append('s', accountEvents(1), {
            inTransaction: async (_events, tx) => {
              await tx.outbox!.enqueue([outboxRecord('e', 14)]);
              throw new Error('no');
            },
          }),
        );
        expect((await outbox.pending(10, 1000)).map((r) => r.id)).toEqual(['a']);
      } finally {
        driver.close();
      }
    });

    it('marks a message handled once; a second mark is DUPLICATE_MESSAGE and rolls its append back', async () => {
      const driver = await fresh();
      try {
        await driver.ledger.append('s', accountEvents(1), {
          inTransaction: (_events, tx) => tx.outbox!.markHandled('acme', 'm1'),
        });
        expect(await driver.store.outbox.handled('acme', 'm1')).toBe(true);
        expect(await driver.store.outbox.handled('default', 'm1')).toBe(false);
        const error = await caught(() =>
          driver.ledger.append('s', accountEvents(1), {
            inTransaction: (_events, tx) => tx.outbox!.markHandled('acme', 'm1'),
          }),
        );
        expect(codeOf(error)).toBe('DUPLICATE_MESSAGE');
        expect(await driver.ledger.streamVersion('s')).toBe(1);
        // the store's own transaction: the duplicate can be caught and the rest kept
        await driver.store.transaction(async (tx) => {
          const dup = await caught(() => tx.outbox!.markHandled('acme', 'm1'));
          expect(isWhizbangError(dup, 'DUPLICATE_MESSAGE')).toBe(true);
          await tx.setCheckpoint('p', 4);
        });
        expect(await driver.store.checkpoint('p')).toBe(4);
      } finally {
        driver.close();
      }
    });

    it('saves, replaces and loads snapshots by kind, tenant and id', async () => {
      const driver = await fresh();
      const snap = (version: number) => ({
        version,
        state: { balance: version * 10 },
        schemaVersion: 2,
        takenAt: version,
      });
      try {
        expect(await driver.snapshots.load('Account', 'default', 'a')).toBeUndefined();
        await driver.snapshots.save('Account', 'default', 'a', snap(1));
        await driver.snapshots.save('Account', 'default', 'a', snap(5));
        await driver.snapshots.save('Account', 'acme', 'a', snap(2));
        await driver.snapshots.save('Audit', 'default', 'a', snap(3));
        expect(await driver.snapshots.load('Account', 'default', 'a')).toEqual(snap(5));
        expect(await driver.snapshots.load('Account', 'acme', 'a')).toEqual(snap(2));
        expect(await driver.snapshots.load('Audit', 'default', 'a')).toEqual(snap(3));
        expect(await driver.snapshots.load('Account', 'default', 'b')).toBeUndefined();
      } finally {
        driver.close();
      }
    });
  });
}
