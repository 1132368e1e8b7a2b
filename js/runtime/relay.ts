/**
 * The outbox relay: takes what the outbox holds, oldest first, and hands it to a transport. At
 * least once, in order per stream: a record leaves the outbox only after the transport took it,
 * and a record that failed holds the records behind it in its stream (the store's `pending` keeps
 * them back) while other streams go on, several at once.
 *
 * A failure is never a silent loss. A transport that says it is down (`UNAVAILABLE`, `CLOSED`)
 * pauses the whole relay for a moment, costing no record an attempt. Any other failure retries
 * the record with a growing delay, capped; after `maxAttempts` (default: no limit), or at once when
 * the transport refuses the envelope itself (`INVALID_ARGUMENT`), the record moves to the store's
 * dead letters, where it stays, counted and listed, until `outbox.replay()`. Every failure is
 * reported to `onError`.
 */

import type { OutboxRecord, OutboxStore } from '../contracts/outbox.ts';
import type { Transport } from '../contracts/transport.ts';
import { isWhizbangError, wholeOption } from '../util/errors.ts';
import { platform, type Timer, unref } from '../util/platform.ts';
import { publishBatch } from './relay-batch.ts';

/** Options of `app.relay`. */
export interface RelayOptions {
  /** Records read per round (default 100). */
  readonly batchSize?: number;
  /** How often to look when nothing woke the relay, ms (default 250). */
  readonly pollMs?: number;
  /** Streams published at once; the records of one stream go one after another (default 16). */
  readonly concurrency?: number;
  /** Deliveries tried before a record moves to the dead letters (default: no limit). */
  readonly maxAttempts?: number;
  /** Delay after a record's first failure, doubling each time, ms (default 100). */
  readonly backoffMs?: number;
  /** The most a record waits between two attempts, ms (default 30 000). */
  readonly maxBackoffMs?: number;
  /** Told of each record moved to the dead letters, with the last error. Its errors are ignored. */
  readonly onDeadLetter?: (record: OutboxRecord, error: unknown) => void;
  /**
   * Told of every failure: a delivery (with its record) or the outbox itself (without). Its errors
   * are ignored.
   */
  readonly onError?: (error: unknown, record: OutboxRecord | undefined) => void;
}

/** A running relay. */
export interface Relay {
  /** Delivers everything available now; resolves with how many went out. */
  flush(): Promise<number>;
  /** Stops after the round in hand. */
  stop(): Promise<void>;
  /** Records delivered since it started. */
  readonly delivered: number;
  /** Failed deliveries (and failed outbox calls) since it started. */
  readonly failures: number;
  /** Records it moved to the dead letters since it started. */
  readonly deadLettered: number;
  /** The newest failure; undefined until one happens. */
  readonly lastError: unknown;
}

/** How long an unavailable transport (or outbox) pauses the relay at most, ms. */
const MAX_PAUSE_MS = 1_000;

/** True for failures of the transport as a whole, which no record is to blame for. */
function transportDown(error: unknown): boolean {
  return isWhizbangError(error, 'UNAVAILABLE') || isWhizbangError(error, 'CLOSED');
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Calls a hook of the user's; its failure has nowhere left to go. */
function tell<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    hook?.(...args);
  } catch {
    // the hook is the last stop
  }
}

/** The relay of one outbox to one transport. */
class OutboxRelay implements Relay {
  readonly #outbox: OutboxStore;
  readonly #transport: Transport;
  readonly #options: RelayOptions;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #unwake: () => void;
  readonly #timer: Timer;
  #delivered = 0;
  #failures = 0;
  #deadLettered = 0;
  #lastError: unknown;
  #stopped = false;
  #running: Promise<number> | undefined;
  #again = false;
  #pausedUntil = 0;
  #pauses = 0;

  constructor(
    outbox: OutboxStore,
    transport: Transport,
    wake: (listener: () => void) => () => void,
    options: RelayOptions,
  ) {
    this.#outbox = outbox;
    this.#transport = transport;
    this.#options = options;
    this.#batchSize = wholeOption('batchSize', options.batchSize, 100, 1);
    this.#concurrency = wholeOption('concurrency', options.concurrency, 16, 1);
    this.#maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (options.maxAttempts !== undefined) wholeOption('maxAttempts', options.maxAttempts, 1, 1);
    this.#backoffMs = wholeOption('backoffMs', options.backoffMs, 100, 0);
    this.#maxBackoffMs = wholeOption('maxBackoffMs', options.maxBackoffMs, 30_000, 0);
    this.#unwake = wake(() => this.#kick());
    this.#timer = platform.setInterval(() => this.#kick(), options.pollMs ?? 250);
    unref(this.#timer);
    this.#kick();
  }

  get delivered(): number {
    return this.#delivered;
  }

  get failures(): number {
    return this.#failures;
  }

  get deadLettered(): number {
    return this.#deadLettered;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      await this.#running;
      const n = await this.#pump();
      total += n;
      if (n === 0) return total;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    platform.clearInterval(this.#timer);
    this.#unwake();
    await this.#running;
  }

  #kick(): void {
    if (!this.#stopped) void this.#pump();
  }

  /** Runs a round, or asks the running one to be followed by another; never rejects. */
  #pump(): Promise<number> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#round()
      .catch((error: unknown) => {
        // the outbox itself failed (its database is away): reported, then paused like a transport
        this.#failed(error, undefined);
        this.#pause();
        return 0;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#kick();
        }
      });
    return this.#running;
  }

  async #round(): Promise<number> {
    let sent = 0;
    for (;;) {
      if (this.#stopped || Date.now() < this.#pausedUntil) return sent;
      const batch = await this.#outbox.pending(this.#batchSize, Date.now());
      if (batch.length === 0) return sent;
      let down = false;
      const { taken, failed } = await publishBatch(
        batch,
        this.#transport,
        this.#concurrency,
        () => down || this.#stopped,
        (error) => {
          if (transportDown(error)) down = true;
        },
      );
      if (taken.length > 0 && this.#transport.flush !== undefined) {
        // what the broker may not have yet stays in the outbox
        try {
          await this.#transport.flush();
        } catch (error) {
          this.#failed(error, undefined);
          this.#pause();
          return sent;
        }
      }
      if (taken.length > 0) {
        await this.#outbox.delivered(taken);
        sent += taken.length;
        this.#delivered += taken.length;
        this.#pauses = 0;
      }
      for (const { record, error } of failed) await this.#settle(record, error);
      if (down) this.#pause();
      // a failed stream now waits in the store; others go on while anything went out
      if (failed.length > 0 && (down || taken.length === 0)) return sent;
    }
  }

  /** A failed delivery: the relay pauses, the record waits, or it moves to the dead letters. */
  async #settle(record: OutboxRecord, error: unknown): Promise<void> {
    this.#failed(error, record);
    if (transportDown(error)) return; // no record is to blame
    const now = Date.now();
    if (isWhizbangError(error, 'INVALID_ARGUMENT') || record.attempts + 1 >= this.#maxAttempts) {
      await this.#outbox.deadLetter(record.id, text(error), now);
      this.#deadLettered++;
      tell(this.#options.onDeadLetter, { ...record, attempts: record.attempts + 1 }, error);
      return;
    }
    const delay = Math.min(this.#backoffMs * 2 ** record.attempts, this.#maxBackoffMs);
    await this.#outbox.retryLater(record.id, text(error), now + delay);
  }

  #failed(error: unknown, record: OutboxRecord | undefined): void {
    this.#failures++;
    this.#lastError = error;
    tell(this.#options.onError, error, record);
  }

  /** Stops rounds for a while, longer each time in a row (up to a second). */
  #pause(): void {
    const wait = Math.min(Math.max(this.#backoffMs, 1) * 2 ** this.#pauses, MAX_PAUSE_MS);
    this.#pauses++;
    this.#pausedUntil = Date.now() + wait;
  }
}

/** Starts a relay from `outbox` to `transport`; `wake` subscribes it to "something was written". */
export function startRelay(
  outbox: OutboxStore,
  transport: Transport,
  wake: (listener: () => void) => () => void,
  options: RelayOptions = {},
): Relay {
  return new OutboxRelay(outbox, transport, wake, options);
}
