/**
 * Subscriptions: catch up from a position, then go live, over any {@link Ledger}. One mechanism
 * for both phases (a cursor read in batches, woken by the ledger's `watch`), so the switch from
 * catch-up to live can neither skip nor repeat an event.
 */

import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import { WhizbangError } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** Options of {@link subscribe}. */
export interface SubscribeOptions {
  /** First global position to deliver (default 1: from the beginning). */
  readonly from?: number;
  /** Only events of one tenant. */
  readonly tenant?: string;
  /** Only events of these types. */
  readonly types?: readonly string[];
  /** How many events one read takes (default 512). */
  readonly batchSize?: number;
  /** Called when the handler throws; the subscription stops. */
  readonly onError?: (error: unknown) => void;
}

/** A running subscription. */
export interface Subscription {
  /** Global position up to which every matching event has been delivered. */
  readonly position: number;
  /** Resolves once everything up to `position` (default: the head at call time) is delivered. */
  waitFor(position?: number): Promise<void>;
  /** Stops delivering; resolves when the batch in hand is done. */
  stop(): Promise<void>;
  /** Settles when the subscription stops: rejects with the handler's error if it failed. */
  readonly done: Promise<void>;
}

/** Handles one batch; `through` is the position the batch covers up to (filtered events included). */
export type BatchHandler = (
  events: readonly RecordedEvent[],
  through: number,
) => MaybePromise<void>;

interface Waiter {
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Subscribes to `ledger` in batches: catch up from `options.from`, then live. */
export function subscribeBatches(
  ledger: Ledger,
  handler: BatchHandler,
  options: SubscribeOptions = {},
): Subscription {
  const batchSize = options.batchSize ?? 512;
  let cursor = Math.max(options.from ?? 1, 1);
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failure: unknown;
  let waiters: Waiter[] = [];
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {}); // a failure is reported through done/waitFor/onError, never unhandled

  const release = (): void => {
    if (waiters.length === 0) return;
    const through = cursor - 1;
    waiters = waiters.filter((w) => {
      if (failure !== undefined) w.reject(failure);
      else if (stopped)
        w.reject(new WhizbangError('CLOSED', 'The subscription was stopped before it got there.'));
      else if (w.position <= through) w.resolve();
      else return true;
      return false;
    });
  };

  const pump = async (): Promise<void> => {
    do {
      again = false;
      const head = await ledger.headPosition();
      while (!stopped && cursor <= head) {
        const batch = await ledger.readAll({
          from: cursor,
          to: head,
          limit: batchSize,
          ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
          ...(options.types === undefined ? {} : { types: options.types }),
        });
        const through = batch.length === batchSize ? batch[batch.length - 1]!.position : head;
        await handler(batch, through);
        cursor = through + 1;
        release();
      }
    } while (again && !stopped);
  };

  const wake = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pump()
      .catch((error: unknown) => {
        failure = error;
        stopped = true;
        unwatch();
        options.onError?.(error);
        settle.reject(error);
      })
      .finally(() => {
        running = undefined;
        release();
        if (again && !stopped) wake();
      });
  };

  const unwatch = ledger.watch(wake);
  wake();

  return {
    get position() {
      return cursor - 1;
    },
    async waitFor(position?: number): Promise<void> {
      const target = position ?? (await ledger.headPosition());
      if (failure !== undefined) throw failure;
      if (target <= cursor - 1) return;
      if (stopped) throw new WhizbangError('CLOSED', 'The subscription is stopped.');
      return new Promise<void>((resolve, reject) => {
        waiters.push({ position: target, resolve, reject });
        wake();
      });
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      unwatch();
      await running;
      release();
      settle.resolve();
    },
    done,
  };
}

/**
 * Subscribes to `ledger` one event at a time: catch up, then live, each event once, in order.
 * @example
 * const sub = subscribe(app.ledger, (event) => console.log(event.type), { from: 1 });
 * await sub.waitFor();
 * await sub.stop();
 */
export function subscribe(
  ledger: Ledger,
  handler: (event: RecordedEvent) => MaybePromise<void>,
  options: SubscribeOptions = {},
): Subscription {
  return subscribeBatches(
    ledger,
    async (events) => {
      for (const event of events) await handler(event);
    },
    options,
  );
}
