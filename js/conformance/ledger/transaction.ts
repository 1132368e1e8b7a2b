/** AppendOptions.inTransaction: inline work commits with the events, or nothing is kept. */
import { describe, expect, it } from 'vitest';
import { chain, each } from '../../kit/mod.ts';
import { accountEvent, accountEvents, caught, sleep, streamId } from '../helpers.ts';
import type {
  AppendOptions,
  AppendResult,
  MaybePromise,
  RecordedEvent,
  StoredModel,
  StoreWriter,
} from '../whizbang.ts';
import { isConcurrencyError } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

const P = 'balances';

type InTransaction = NonNullable<AppendOptions['inTransaction']>;

function row(id: string, balance: number, event?: RecordedEvent): StoredModel {
  return {
    id,
    tenant: event?.tenant ?? 'default',
    model: { balance },
    version: event?.version ?? 1,
    position: event?.position ?? 1,
    updatedAt: 1_700_000_000_000 + balance,
  };
}

/** Settles two appends started together; sync drivers' throws become rejections. */
function both(
  first: () => AppendResult | Promise<AppendResult>,
  second: () => AppendResult | Promise<AppendResult>,
): Promise<PromiseSettledResult<AppendResult>[]> {
  return Promise.allSettled([(async () => first())(), (async () => second())()]);
}

/** Registers the tests of inline work in an append's transaction. */
export function transactionSuite({ driver, options }: LedgerContext): void {
  describe('inTransaction', () => {
    for (const mode of ['sync', 'async'] as const) {
      it(`keeps what a ${mode} callback writes, given the recorded events`, async () => {
        const { ledger, store } = driver.current;
        await ledger.append('other', accountEvents(2));
        const stream = streamId();
        let seen: readonly RecordedEvent[] = [];
        // "sync" stays synchronous while the store does, as the runtime's inline perspectives do
        const project = (events: readonly RecordedEvent[], tx: StoreWriter): MaybePromise<void> => {
          seen = events;
          const last = events[events.length - 1]!;
          return chain(tx.put(P, row(stream, 42, last)), () => tx.setCheckpoint(P, last.position));
        };
        const result = await ledger.append(stream, accountEvents(3), {
          tenant: 'acme',
          inTransaction:
            mode === 'sync'
              ? project
              : async (events, tx) => {
                  await sleep(1);
                  await project(events, tx);
                },
        });
        expect(seen).toEqual(result.events);
        expect(seen.map((e) => [e.streamId, e.tenant, e.version, e.position])).toEqual([
          [stream, 'acme', 1, 3],
          [stream, 'acme', 2, 4],
          [stream, 'acme', 3, 5],
        ]);
        expect(await ledger.readStream(stream, { tenant: 'acme' })).toEqual(result.events);
        expect(await store.get(P, 'acme', stream)).toEqual(row(stream, 42, result.events[2]));
        expect(await store.checkpoint(P)).toBe(5);
      });
    }

    for (const mode of ['throws', 'rejects'] as const) {
      it(`keeps nothing of the append when the callback ${mode}`, async () => {
        const { ledger, store } = driver.current;
        const stream = streamId();
        await ledger.append(stream, accountEvents(2));
        await store.transaction(async (tx) => {
          await tx.put(P, row('kept', 10));
          await tx.put(P, row('gone', 20));
          await tx.setCheckpoint(P, 2);
        });
        const before = await ledger.readAll();
        let notified = 0;
        const unwatch = ledger.watch(() => {
          notified++;
        });
        const boom = new Error('inline perspective failed');
        const error = await caught(() =>
          ledger.append(stream, accountEvents(3), {
            expectedVersion: 2,
            inTransaction: (events, tx) => {
              const steps = [
                () => tx.put(P, row('fresh', 1, events[0])),
                () => tx.put(P, row('kept', 999, events[0])),
                () => tx.delete(P, 'default', 'gone'),
                () => tx.setCheckpoint(P, events[2]!.position),
              ];
              if (mode === 'throws') {
                return chain(
                  each(steps, (step) => step()),
                  () => {
                    throw boom;
                  },
                );
              }
              return (async () => {
                for (const step of steps) await step();
                await sleep(1);
                throw boom;
              })();
            },
          }),
        );
        expect(error).toBe(boom);
        expect(await ledger.readAll()).toEqual(before);
        expect(await ledger.readStream(stream)).toEqual(before);
        expect(await ledger.streamVersion(stream)).toBe(2);
        expect(await ledger.headPosition()).toBe(2);
        expect(await store.get(P, 'default', 'fresh')).toBeUndefined();
        expect(await store.get(P, 'default', 'kept')).toEqual(row('kept', 10));
        expect(await store.get(P, 'default', 'gone')).toEqual(row('gone', 20));
        expect(await store.checkpoint(P)).toBe(2);
        await sleep(options.quietMs);
        expect(notified).toBe(0);
        unwatch();

        const next = await ledger.append(stream, [accountEvent()], { expectedVersion: 2 });
        expect(next.events.map((e) => [e.version, e.position])).toEqual([[3, 3]]);
      });
    }

    it('lets appends to different streams whose inline work awaits overlap', async () => {
      const { ledger, store } = driver.current;
      const [a, b] = [streamId(), streamId()];
      const slow: InTransaction = async (events, tx) => {
        await sleep(5);
        await tx.put(P, row(events[0]!.streamId, 1, events[0]));
      };
      const results = await both(
        () => ledger.append(a, accountEvents(1), { inTransaction: slow }),
        () => ledger.append(b, accountEvents(1), { inTransaction: slow }),
      );
      expect(results.map((r) => (r.status === 'rejected' ? r.reason : 'ok'))).toEqual(['ok', 'ok']);
      expect((await ledger.readAll()).map((e) => e.position)).toEqual([1, 2]);
      expect(await store.get(P, 'default', a)).toMatchObject({ id: a });
      expect(await store.get(P, 'default', b)).toMatchObject({ id: b });
    });

    it("lets overlapping appends with 'any' and awaiting inline work both land", async () => {
      const { ledger } = driver.current;
      const stream = streamId();
      const slow: InTransaction = async () => {
        await sleep(5);
      };
      const results = await both(
        () =>
          ledger.append(stream, accountEvents(1), { expectedVersion: 'any', inTransaction: slow }),
        () =>
          ledger.append(stream, accountEvents(1), { expectedVersion: 'any', inTransaction: slow }),
      );
      expect(results.map((r) => (r.status === 'rejected' ? r.reason : 'ok'))).toEqual(['ok', 'ok']);
      expect((await ledger.readStream(stream)).map((e) => e.version)).toEqual([1, 2]);
    });

    it("with one expected version, the loser's rollback keeps the winner's rows", async () => {
      const { ledger, store } = driver.current;
      const stream = streamId();
      const writer =
        (balance: number, delayMs: number): InTransaction =>
        async (events, tx) => {
          await tx.put(P, row('shared', balance, events[0]));
          await sleep(delayMs);
        };
      const results = await both(
        () =>
          ledger.append(stream, [accountEvent('Set', { metadata: { balance: 1 } })], {
            expectedVersion: 0,
            inTransaction: writer(1, 20),
          }),
        () =>
          ledger.append(stream, [accountEvent('Set', { metadata: { balance: 2 } })], {
            expectedVersion: 0,
            inTransaction: writer(2, 1),
          }),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(isConcurrencyError(r.reason)).toBe(true);
      }
      const events = await ledger.readStream(stream);
      expect(events).toHaveLength(1);
      const winner = events[0]!.metadata?.balance as number;
      expect(await store.get(P, 'default', 'shared')).toEqual(row('shared', winner, events[0]));
    });
  });
}
