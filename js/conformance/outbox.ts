/**
 * The outbox and inbox conformance suite: every driver that keeps an outbox runs it unchanged.
 * Rows are written in the store's transactions (so they commit or roll back with the models), and
 * read, retried and dead-lettered by the relay outside them; a record that is not due holds its
 * stream; the inbox keeps the rest of an unfinished handling with its mark.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { caught, type DriverFactory, useDriver } from './helpers.ts';
import {
  type OutboxRecord,
  type OutboxStore,
  type OutboxWriter,
  outboxStream,
  type StoreWriter,
} from './whizbang.ts';

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

    it('removes delivered records, and retries a failed one later in its place, with its error', async () => {
      await writing((o) => o.enqueue([record('a'), record('b'), record('c')]));
      await store().delivered(['a', 'c']);
      expect((await store().pending(10, T0)).map((r) => r.id)).toEqual(['b']);
      await writing((o) => o.enqueue([record('d')]));
      await store().retryLater('b', 'broker unreachable', T0 + 1000);
      expect((await store().pending(10, T0)).map((r) => r.id)).toEqual(['d']);
      const [retried] = await store().pending(10, T0 + 1000);
      expect(retried).toEqual(
        record('b', { attempts: 1, availableAt: T0 + 1000, lastError: 'broker unreachable' }),
      );
      await store().retryLater('b', 'again', T0 + 2000);
      expect((await store().pending(10, T0 + 2000))[0]).toMatchObject({
        id: 'b',
        attempts: 2,
        lastError: 'again',
      });
      await store().delivered([]); // nothing to do is fine
      await store().retryLater('never-there', 'x', T0);
    });

    it('holds the records behind one that is not due in its stream, and no other stream', async () => {
      const inStream = (id: string, streamId: string, tenant = 'acme') => {
        const r = record(id);
        return { ...r, envelope: { ...r.envelope, streamId, tenant } };
      };
      const command = (id: string, topic: string) => {
        const r = record(id, { topic });
        const { streamId: _none, ...envelope } = r.envelope;
        return { ...r, envelope };
      };
      await writing((o) =>
        o.enqueue([
          inStream('a1', 'order-a'),
          inStream('a2', 'order-a'),
          inStream('b1', 'order-b'),
          inStream('x1', 'order-a', 'globex'), // the same stream id in another tenant
          command('c1', 'whizbang.commands.Ship'),
          command('c2', 'whizbang.commands.Ship'),
          command('d1', 'whizbang.commands.Bill'),
          inStream('a3', 'order-a'),
        ]),
      );
      await store().retryLater('a1', 'down', T0 + 1000);
      await store().retryLater('c1', 'down', T0 + 1000);
      expect((await store().pending(10, T0)).map((r) => r.id)).toEqual(['b1', 'x1', 'd1']);
      expect((await store().pending(2, T0)).map((r) => r.id)).toEqual(['b1', 'x1']);
      expect((await store().pending(10, T0 + 1000)).map((r) => r.id)).toEqual([
        'a1',
        'a2',
        'b1',
        'x1',
        'c1',
        'c2',
        'd1',
        'a3',
      ]);
      expect(outboxStream(inStream('a1', 'order-a'))).toBe(JSON.stringify(['acme', 'order-a']));
      expect(outboxStream(command('c1', 'whizbang.commands.Ship'))).toBe(
        JSON.stringify(['acme', null, 'whizbang.commands.Ship']),
      );
    });

    it('moves a record to the dead letters, lists and counts them, and replays them to the end of the line', async () => {
      await writing((o) => o.enqueue([record('a'), record('b'), record('c')]));
      await writing((o) => o.markHandled('acme', 'in-1'));
      await store().retryLater('b', 'down', T0);
      await store().deadLetter('b', 'refused', T0 + 5);
      await store().deadLetter('never-there', 'x', T0);
      expect((await store().pending(10, T0 + 9999)).map((r) => r.id)).toEqual(['a', 'c']);
      const letters = await store().deadLetters();
      expect(letters).toEqual([
        { ...record('b', { attempts: 2, lastError: 'refused' }), deadAt: T0 + 5 },
      ]);
      expect(await store().counts()).toEqual({ outbox: 2, deadLetters: 1, inbox: 1 });
      await store().deadLetter('a', 'refused too', T0 + 6);
      expect((await store().deadLetters(1)).map((r) => r.id)).toEqual(['b']);
      expect(await store().replay(['a', 'never-there'])).toBe(1);
      const before = Date.now();
      expect(await store().replay()).toBe(1);
      expect(await store().replay()).toBe(0);
      const line = await store().pending(10, Date.now());
      expect(line.map((r) => r.id)).toEqual(['c', 'a', 'b']);
      expect(line[2]).toMatchObject({ attempts: 0, enqueuedAt: T0 });
      expect(line[2]!.availableAt).toBeGreaterThanOrEqual(before - 1000);
      expect(await store().counts()).toEqual({ outbox: 3, deadLetters: 0, inbox: 1 });
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

    it('keeps the rest of a handling with its mark until it is finished', async () => {
      const rest = { commands: [{ kind: 'command', type: 'Ship', data: { n: 1 } }], to: 3 };
      await writing((o) => o.markHandled('acme', 'm3', rest));
      expect(await store().handled('acme', 'm3')).toBe(true);
      expect(await store().unfinished('acme', 'm3')).toEqual(rest);
      expect(await store().unfinished('globex', 'm3')).toBeUndefined();
      await writing((o) => o.markFinished('acme', 'm3'));
      expect(await store().unfinished('acme', 'm3')).toBeUndefined();
      expect(await store().handled('acme', 'm3')).toBe(true);
      await writing((o) => o.markHandled('acme', 'm4'));
      expect(await store().unfinished('acme', 'm4')).toBeUndefined();
      await writing((o) => o.markFinished('acme', 'never-there'));
      await caught(() =>
        writing(async (o) => {
          await o.markHandled('acme', 'm5', rest);
          throw new Error('rolled back');
        }),
      );
      expect(await store().unfinished('acme', 'm5')).toBeUndefined();
      await writing((o) => o.markHandled('acme', 'm6', rest));
      await caught(() =>
        writing(async (o) => {
          await o.markFinished('acme', 'm6');
          throw new Error('rolled back');
        }),
      );
      expect(await store().unfinished('acme', 'm6')).toEqual(rest);
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
