/**
 * What offline sync asks of the local ledger itself: a stream's tail replaced in one transaction
 * (a local commit displaced by another writer's), and, when offered, a batch of appends to several
 * streams, all or none.
 */
import { expect, it } from 'vitest';
import type { SyncContext } from './context.ts';

/** replaceTail and appendBatch on a replica's own ledger. */
export function ledgerSuite({ harness }: SyncContext): void {
  it('replaces a stream’s tail in one transaction, refusing a cut past its end and keeping all on a failure', async () => {
    const driver = await harness.replica()();
    try {
      const ledger = driver.ledger;
      await ledger.append(
        's',
        [1, 2, 3].map((n) => ({ type: 'T', data: { n } })),
      );
      await ledger.append('other', [{ type: 'T', data: { n: 9 } }]);
      const replace = ledger.replaceTail!.bind(ledger);
      const before = await ledger.readAll();
      const past = await Promise.resolve()
        .then(() => replace('s', 5, [{ type: 'T', data: { n: 0 } }]))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(past).toMatchObject({ code: 'INVALID_ARGUMENT' });
      const failed = await Promise.resolve()
        .then(() =>
          replace('s', 1, [{ type: 'T', data: { n: 0 } }], {
            inTransaction: () => {
              throw new Error('inline work failed');
            },
          }),
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(String(failed)).toMatch(/inline work failed/);
      expect(await ledger.readAll()).toEqual(before);

      const done = await replace('s', 1, [
        { type: 'T', data: { n: 20 } },
        { type: 'T', data: { n: 30 } },
      ]);
      expect(done.version).toBe(3);
      const stream = await ledger.readStream('s');
      expect(stream.map((e) => [e.version, (e.data as { n: number }).n])).toEqual([
        [1, 1],
        [2, 20],
        [3, 30],
      ]);
      expect(await ledger.streamVersion('s')).toBe(3);
      const all = (await ledger.readAll()).map((e) => (e.data as { n: number }).n);
      expect(all.sort((x, y) => x - y)).toEqual([1, 9, 20, 30]);
      // and it goes on from there as any stream does
      await ledger.append('s', [{ type: 'T', data: { n: 40 } }], { expectedVersion: 3 });
      expect(await ledger.streamVersion('s')).toBe(4);
    } finally {
      await driver.close?.();
    }
  });

  it('appends a batch to several streams in one transaction, all or none', async () => {
    const driver = await harness.replica()();
    try {
      const ledger = driver.ledger;
      if (ledger.appendBatch === undefined) return; // optional: sync then writes run by run
      const batch = ledger.appendBatch.bind(ledger);
      await ledger.append('a', [{ type: 'T', data: { n: 1 } }]);
      const results = await batch([
        {
          streamId: 'a',
          events: [{ type: 'T', data: { n: 2 } }],
          options: { expectedVersion: 1 },
        },
        {
          streamId: 'b',
          events: [
            { type: 'T', data: { n: 3 } },
            { type: 'T', data: { n: 4 } },
          ],
        },
        {
          streamId: 'a',
          events: [{ type: 'T', data: { n: 5 } }],
          options: { expectedVersion: 2 },
        },
      ]);
      expect(results.map((r) => [r.streamId, r.version, r.position])).toEqual([
        ['a', 2, 2],
        ['b', 2, 4],
        ['a', 3, 5],
      ]);
      const before = await ledger.readAll();
      const refused = await Promise.resolve()
        .then(() =>
          batch([
            { streamId: 'c', events: [{ type: 'T', data: { n: 6 } }] },
            {
              streamId: 'a',
              events: [{ type: 'T', data: { n: 7 } }],
              options: { expectedVersion: 1 },
            },
          ]),
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
      expect(await ledger.readAll()).toEqual(before);
      expect(await ledger.streamVersion('c')).toBe(0);
    } finally {
      await driver.close?.();
    }
  });

  it('keeps each run of a batch to its own tenant, an empty run too', async () => {
    const driver = await harness.replica()();
    try {
      const ledger = driver.ledger;
      if (ledger.appendBatch === undefined) return;
      await ledger.append(
        's',
        [
          { type: 'T', data: 1 },
          { type: 'T', data: 2 },
        ],
        { tenant: 'other' },
      );
      await ledger.appendBatch([
        { streamId: 's', events: [], options: { tenant: 'other' } },
        { streamId: 's', events: [{ type: 'T', data: 3 }], options: { tenant: 'other' } },
      ]);
      // the default tenant's stream "s" is untouched by another tenant's
      const mine = await ledger.append('s', [{ type: 'T', data: 'first' }]);
      expect(mine.version).toBe(1);
      expect((await ledger.readStream('s')).map((e) => e.version)).toEqual([1]);
      expect(await ledger.streamVersion('s', { tenant: 'other' })).toBe(3);
    } finally {
      await driver.close?.();
    }
  });
}
