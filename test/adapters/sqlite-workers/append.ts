/**
 * Appends until killed: batches of 1–4 events (some spanning several pages) round-robin over three
 * streams, each with the expected version it tracked from the file, and inside each append's
 * transaction an inline write: a `tally` model per stream, the `tally` checkpoint and one outbox
 * record. After each append returns it prints `ack <run> <seq> <stream> <version> <position> <count>`.
 *
 * Usage: append.ts <path> <run> on Node, Bun or Deno (see harness.ts)
 */

import type { RecordedEvent } from '../../../js/contracts/ledger.ts';
import type { StoreWriter } from '../../../js/contracts/store.ts';
import { sqliteDriver } from './engine.ts';
import { STREAMS } from './inspect.ts';
import { args, fail, ready, say } from './io.ts';

const [path, run] = args(2) as [string, string];

/** The inline work of an append with key `key`: what the parent checks moved with the events. */
function inline(key: string) {
  return (events: readonly RecordedEvent[], tx: StoreWriter): void => {
    const last = events[events.length - 1]!;
    void tx.put('tally', {
      id: last.streamId,
      tenant: last.tenant,
      model: { last: key },
      version: last.version,
      position: last.position,
      updatedAt: last.timestamp,
    });
    void tx.setCheckpoint('tally', last.position);
    void tx.outbox?.enqueue([
      {
        id: key,
        topic: 'appended',
        envelope: {
          message: { kind: 'event', type: last.type, data: null },
          messageId: last.messageId,
          correlationId: last.correlationId,
          causationId: last.causationId,
          streamId: last.streamId,
          tenant: last.tenant,
          timestamp: last.timestamp,
          traceparent: '',
          hops: [],
        },
        attempts: 0,
        enqueuedAt: last.timestamp,
        availableAt: last.timestamp,
      },
    ]);
  };
}

try {
  const driver = sqliteDriver({ path });
  const versions = new Map<string, number>();
  for (const stream of STREAMS) {
    const version = driver.ledger.streamVersion(stream);
    versions.set(stream, version);
    say(`start ${stream} ${version}`);
  }
  ready();
  for (let seq = 0; seq < 1_000_000; seq++) {
    const stream = STREAMS[seq % STREAMS.length]!;
    const count = 1 + Math.floor(Math.random() * 4);
    const events = Array.from({ length: count }, (_, part) => ({
      type: 'Appended',
      data: { run, seq, part, of: count, pad: 'x'.repeat(Math.floor(Math.random() * 1500)) },
    }));
    const result = await driver.ledger.append(stream, events, {
      expectedVersion: versions.get(stream)!,
      inTransaction: inline(`${run}/${seq}`),
    });
    versions.set(stream, result.version);
    say(`ack ${run} ${seq} ${stream} ${result.version} ${result.position} ${count}`);
  }
  fail('never killed');
} catch (error) {
  fail(error);
}
