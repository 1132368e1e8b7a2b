/**
 * What the outbox upgrade tests of SQLite and PostgreSQL write with an older schema, and what they
 * expect after the upgrade: each record in the stream `outboxStream` gives it, and a record that
 * was being retried holding its stream.
 */
import { expect } from 'vitest';
import { type OutboxStore, outboxStream, type WireEnvelope } from '../../js/mod.ts';

/** An envelope of tenant acme, in a stream or (a command) in none. */
export function envelope(id: string, streamId?: string): WireEnvelope {
  return {
    message: { kind: 'event', type: 'Placed', data: { id } },
    messageId: id,
    correlationId: id,
    causationId: id,
    ...(streamId === undefined ? {} : { streamId }),
    tenant: 'acme',
    timestamp: 1,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    hops: [],
  };
}

/** The rows the older schema holds: id, topic, envelope, attempts, available at (ms). */
export const OLD_ROWS: ReadonlyArray<readonly [string, string, WireEnvelope, number, number]> = [
  ['a1', 'orders', envelope('a1', 'order-a'), 1, 9_999], // being retried
  ['a2', 'orders', envelope('a2', 'order-a'), 0, 2],
  ['c1', 'whizbang.commands.Ship', envelope('c1'), 0, 3],
];

/** Checks the upgraded rows' streams (`[id, stream]` in line order) and the outbox's line. */
export async function expectUpgraded(
  streams: ReadonlyArray<{ id: string; stream: string }>,
  outbox: OutboxStore,
): Promise<void> {
  expect(streams).toEqual(
    OLD_ROWS.map(([id, topic, e]) => ({ id, stream: outboxStream({ topic, envelope: e }) })),
  );
  // a1 was being retried: it holds a2 (its stream), not c1
  expect((await outbox.pending(10, 100)).map((r) => r.id)).toEqual(['c1']);
  expect((await outbox.pending(10, 10_000)).map((r) => r.id)).toEqual(['a1', 'a2', 'c1']);
}
