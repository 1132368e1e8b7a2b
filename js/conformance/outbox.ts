/**
 * The outbox and inbox conformance suite: every driver that keeps an outbox runs it unchanged.
 * Rows are written in the store's transactions (so they commit or roll back with the models), and
 * read, retried and removed by the relay outside them.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { caught, type DriverFactory, useDriver } from './helpers.ts';
import type { OutboxRecord, OutboxStore, OutboxWriter, StoreWriter } from './whizbang.ts';

const T0 = 1_700_000_000_000;

function record(id: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id,
    topic: 'whizbang.events.OrderPlaced',
    envelope: {
      message: { kind: 'event', type: 'OrderPlaced', data: { orderId: id, total: 12.5 } },
      messageId: id,
      correlationId: `c-${id}`,
      causationId: `c-${id}`,
      streamId: `order-${id}`,
      tenant: 'acme',
      timestamp: T0,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      hops: [],
      version: 1,
      position: 7,
    },
    attempts: 0,
    enqueuedAt: T0,
    availableAt: T0,
    ...overrides,
  } as OutboxRecord;
}

/**
 * Registers the outbox and inbox conformance tests for the driver `factory` makes, fresh per test.
 * Its store must offer `outbox` (reading side) and its writers `outbox` (in the transaction).
 *
 * @example
 * ```ts
 * // test/my-driver.unit.test.ts
 * import { outboxConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * outboxConformance('my driver', () => myDriver());
 * ```
 */
export function outboxConformance(name: string, factory: DriverFactory): void {
  describe(`${name}: outbox and inbox conformance`, () => {
    const driver = useDriver(factory);
    const store = (): OutboxStore => {
      const outbox = driver.current.store.outbox;
      if (outbox === undefined) throw new Error(`${name} keeps no outbox`);
      return outbox;
    };
    const writing = async (fn: (outbox: OutboxWriter, tx: StoreWriter) => unknown) =>
      driver.current.store.transaction(async (tx) => {
        if (tx.outbox === undefined) throw new Error(`${name} writes no outbox`);
        await fn(tx.outbox, tx);
      });

    it('keeps enqueued records as written, due ones in enqueue order', async () => {
      await writing((o) => o.enqueue([record('b'), record('a')]));
      await writing((o) => o.enqueue([record('c', { availableAt: T0 + 5000 })]));
      await writing((o) => o.enqueue([record('d')]));
      const due = await store().pending(10, T0);
      expect(due.map((r) => r.id)).toEqual(['b', 'a', 'd']);
      expect(due[0]).toEqual(record('b'));
      expect((await store().pending(10, T0 + 5000)).map((r) => r.id)).toEqual(['b', 'a', 'c', 'd']);
      expect((await store().pending(2, T0)).map((r) => r.id)).toEqual(['b', 'a']);
    });

    it('writes nothing of a transaction that fails', async () => {
      const error = await caught(() =>
        writing(async (o, tx) => {
          await o.enqueue([record('x')]);
          await tx.put('p', {
            id: 'm',
            tenant: 'acme',
            model: { n: 1 },
            version: 1,
            position: 1,
            updatedAt: T0,
          });
          throw new Error('boom');
        }),
      );
      expect((error as Error).message).toBe('boom');
      expect(await store().pending(10, T0)).toEqual([]);
      expect(await driver.current.store.get('p', 'acme', 'm')).toBeUndefined();
    });

    it('removes delivered records, and retries a failed one later with its error', async () => {
      await writing((o) => o.enqueue([record('a'), record('b'), record('c')]));
      await store().delivered(['a', 'c']);
      expect((await store().pending(10, T0)).map((r) => r.id)).toEqual(['b']);
      await store().retryLater('b', 'broker unreachable', T0 + 1000);
      expect(await store().pending(10, T0)).toEqual([]);
      const [retried] = await store().pending(10, T0 + 1000);
      expect(retried).toEqual(
        record('b', { attempts: 1, availableAt: T0 + 1000, lastError: 'broker unreachable' }),
      );
      await store().retryLater('b', 'again', T0 + 2000);
      expect((await store().pending(10, T0 + 2000))[0]).toMatchObject({
        attempts: 2,
        lastError: 'again',
      });
      await store().remove('b');
      expect(await store().pending(10, T0 + 9999)).toEqual([]);
      await store().delivered([]); // nothing to do is fine
      await store().remove('never-there');
    });

    it('marks a message handled once per tenant; a second time is a duplicate', async () => {
      expect(await store().handled('acme', 'm1')).toBe(false);
      await writing((o) => o.markHandled('acme', 'm1'));
      expect(await store().handled('acme', 'm1')).toBe(true);
      expect(await store().handled('globex', 'm1')).toBe(false);
      const error = await caught(() => writing((o) => o.markHandled('acme', 'm1')));
      expect(error).toMatchObject({ code: 'DUPLICATE_MESSAGE' });
      await writing((o) => o.markHandled('globex', 'm1'));
      expect(await store().handled('globex', 'm1')).toBe(true);
    });

    it('forgets a handled mark whose transaction failed', async () => {
      await caught(() =>
        writing(async (o) => {
          await o.markHandled('acme', 'm2');
          throw new Error('handler failed');
        }),
      );
      expect(await store().handled('acme', 'm2')).toBe(false);
      await writing((o) => o.markHandled('acme', 'm2'));
      expect(await store().handled('acme', 'm2')).toBe(true);
    });
  });
}
