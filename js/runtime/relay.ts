/**
 * The outbox relay: takes what the outbox holds, oldest first, and hands it to a transport. At
 * least once: a record leaves the outbox only after the transport took it. A delivery that fails
 * stops the batch (so order holds) and is tried again with a growing delay; after `maxAttempts`
 * it is taken out and given to `onDeadLetter`.
 */

import type { OutboxRecord, OutboxStore } from '../contracts/outbox.ts';
import type { Transport } from '../contracts/transport.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { platform, unref } from '../util/platform.ts';

/** Options of `app.relay`. */
export interface RelayOptions {
  /** Records read per round (default 100). */
  readonly batchSize?: number;
  /** How often to look when nothing woke the relay, ms (default 250). */
  readonly pollMs?: number;
  /** Deliveries tried before a record is dead-lettered (default 10). */
  readonly maxAttempts?: number;
  /** Delay after the first failure, doubling each time, ms (default 100). */
  readonly backoffMs?: number;
  /** Receives records taken out after `maxAttempts`, with the last error. */
  readonly onDeadLetter?: (record: OutboxRecord, error: unknown) => void;
}

/** A running relay. */
export interface Relay {
  /** Delivers everything available now; resolves with how many went out. */
  flush(): Promise<number>;
  /** Stops after the round in hand. */
  stop(): Promise<void>;
  /** Records delivered since it started. */
  readonly delivered: number;
}

/** Starts a relay from `outbox` to `transport`; `wake` subscribes it to "something was written". */
export function startRelay(
  outbox: OutboxStore,
  transport: Transport,
  wake: (listener: () => void) => () => void,
  options: RelayOptions = {},
): Relay {
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoffMs = options.backoffMs ?? 100;
  let delivered = 0;
  let stopped = false;
  let running: Promise<number> | undefined;
  let again = false;

  const round = async (): Promise<number> => {
    let sent = 0;
    for (;;) {
      const batch = await outbox.pending(batchSize, Date.now());
      if (batch.length === 0 || stopped) return sent;
      const ids: string[] = [];
      let failed = false;
      for (const record of batch) {
        try {
          await transport.publish(record.topic, record.envelope);
          ids.push(record.id);
        } catch (error) {
          failed = true;
          await settle(record, error);
          break;
        }
      }
      if (ids.length > 0) await outbox.delivered(ids);
      sent += ids.length;
      delivered += ids.length;
      if (failed) return sent;
    }
  };

  const settle = (record: OutboxRecord, error: unknown): MaybePromise<void> => {
    if (record.attempts + 1 >= maxAttempts) {
      options.onDeadLetter?.(record, error);
      return outbox.remove(record.id);
    }
    const delay = backoffMs * 2 ** record.attempts;
    return outbox.retryLater(
      record.id,
      error instanceof Error ? error.message : String(error),
      Date.now() + delay,
    );
  };

  const pump = (): Promise<number> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = round().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void pump();
      }
    });
    return running;
  };

  const unwake = wake(() => {
    if (!stopped) void pump().catch(() => {});
  });
  const timer = platform.setInterval(() => {
    if (!stopped) void pump().catch(() => {});
  }, options.pollMs ?? 250);
  unref(timer);
  void pump().catch(() => {});

  return {
    get delivered() {
      return delivered;
    },
    async flush() {
      let total = 0;
      for (;;) {
        await running;
        const n = await pump();
        total += n;
        if (n === 0) return total;
      }
    },
    async stop() {
      stopped = true;
      platform.clearInterval(timer);
      unwake();
      await running?.catch(() => 0);
    },
  };
}
