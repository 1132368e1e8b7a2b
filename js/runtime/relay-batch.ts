/**
 * One batch of the outbox relay on the wire: the records of each stream published one after
 * another (the next waits for the transport to take the one before it), several streams at once.
 */

import { type OutboxRecord, outboxStream } from '../contracts/outbox.ts';
import type { Transport } from '../contracts/transport.ts';
import { isThenable } from '../util/maybe.ts';

/** How one batch went: what the transport took, and the first failure of each stream that failed. */
export interface BatchResult {
  readonly taken: string[];
  readonly failed: Array<{ readonly record: OutboxRecord; readonly error: unknown }>;
}

/** The records of `batch` by stream, each stream's in line order, streams in order of their first record. */
function lanes(batch: readonly OutboxRecord[]): OutboxRecord[][] {
  const byStream = new Map<string, OutboxRecord[]>();
  for (const record of batch) {
    const stream = outboxStream(record);
    const lane = byStream.get(stream);
    if (lane === undefined) byStream.set(stream, [record]);
    else lane.push(record);
  }
  return [...byStream.values()];
}

/**
 * Publishes `batch` to `transport`, `concurrency` streams at a time. A stream stops at its first
 * failure (what is behind it stays for a later round); `stop()` returning true starts no further
 * publish (the transport is down, or the relay stops).
 */
export async function publishBatch(
  batch: readonly OutboxRecord[],
  transport: Transport,
  concurrency: number,
  stop: () => boolean,
  failedNow: (error: unknown) => void,
): Promise<BatchResult> {
  const result: BatchResult = { taken: [], failed: [] };
  const queue = lanes(batch);
  let next = 0;
  const lane = async (records: readonly OutboxRecord[]): Promise<void> => {
    for (const record of records) {
      if (stop()) return;
      try {
        const published = transport.publish(record.topic, record.envelope);
        if (isThenable(published)) await published;
        result.taken.push(record.id);
      } catch (error) {
        result.failed.push({ record, error });
        failedNow(error);
        return;
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (next < queue.length && !stop()) await lane(queue[next++]!);
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(concurrency, queue.length); i++) workers.push(worker());
  await Promise.all(workers);
  return result;
}
