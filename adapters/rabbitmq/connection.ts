/**
 * The connection a transport lives on, kept up: when it is lost (a broker restart, a network
 * cut, missed heartbeats) every part is told at once, and the connection is made again with
 * exponential backoff and jitter, trying the URLs in turn; then each part restores itself on the
 * new connection in the order the parts were added (the topology first, then the publisher, the
 * subscriptions and the responders), re-declaring what it needs.
 */

import type { AMQPBaseClient, AMQPChannel } from '@cloudamqp/amqp-client';
import { backoffSleep, wholeOption } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';
import { type Endpoint, endpointsOf, openClient, type RabbitConnectOptions } from './connect.ts';

/** The CLOSED error of a transport asked to `action` after it closed. */
export function closedError(action: string): WhizbangError {
  return new WhizbangError(
    'CLOSED',
    `Cannot ${action}: this RabbitMQ transport is closed. Create a new one with rabbitmqTransport().`,
  );
}

/** Reconnection after a lost connection. */
export interface ReconnectOptions {
  /** First wait, ms (default 250); it doubles after each failed try. */
  readonly initialMs?: number;
  /** The most a wait grows to, ms (default 8 000). */
  readonly maxMs?: number;
  /** Tries before giving up (default -1: forever); then the transport stays down. */
  readonly attempts?: number;
}

/** A part of the transport that lives on the connection. */
export interface ConnectionPart {
  /** The connection is gone: drop what belonged to it (it is called synchronously). */
  lost(): void;
  /** Comes back on a new connection; throwing makes the attempt fail and try again. */
  restore(client: AMQPBaseClient): Promise<void>;
}

/** Options of {@link RabbitConnection.open}. */
export interface ConnectionOptions extends RabbitConnectOptions {
  readonly reconnect?: ReconnectOptions;
  /** Told of what goes wrong in the background: a lost connection, a failed reconnect. */
  readonly onError?: ((error: WhizbangError) => void) | undefined;
}

/** A connection that comes back by itself, with the parts that live on it. */
export class RabbitConnection {
  readonly #options: ConnectionOptions;
  readonly #endpoints: readonly Endpoint[];
  readonly #parts = new Set<ConnectionPart>();
  readonly #sleeper: { wake: (() => void) | undefined } = { wake: undefined };
  #client: AMQPBaseClient | undefined;
  #next = 0;
  #closed = false;
  #reconnecting: Promise<void> | undefined;

  private constructor(options: ConnectionOptions, endpoints: readonly Endpoint[]) {
    this.#options = options;
    this.#endpoints = endpoints;
  }

  /** Connects to the first URL that answers; rejects with the first URL's error when none does. */
  static async open(options: ConnectionOptions): Promise<RabbitConnection> {
    const connection = new RabbitConnection(options, endpointsOf(options));
    wholeOption('reconnect.attempts', options.reconnect?.attempts, -1, -1);
    connection.#adopt(await connection.#connectOnce());
    return connection;
  }

  /** The client while connected, else undefined. */
  get client(): AMQPBaseClient | undefined {
    return this.#client;
  }

  /** The URL of the broker it is connected to (or was, last), without the password. */
  get shown(): string {
    return this.#endpoints[(this.#next + this.#endpoints.length - 1) % this.#endpoints.length]!
      .shown;
  }

  /** Adds a part: told when the connection is lost, restored after it is made again. */
  add(part: ConnectionPart): void {
    this.#parts.add(part);
  }

  remove(part: ConnectionPart): void {
    this.#parts.delete(part);
  }

  /** A new channel on the live connection; UNAVAILABLE while it is down. */
  async channel(action: string): Promise<AMQPChannel> {
    const client = this.#client;
    if (client === undefined) throw this.down(action);
    try {
      return await client.channel();
    } catch (error) {
      throw this.down(action, error);
    }
  }

  /** The error of an `action` that could not reach the broker. */
  down(action: string, cause?: unknown): WhizbangError {
    if (this.#closed) return closedError(action);
    const why = cause instanceof Error ? ` (${cause.message})` : '';
    return new WhizbangError(
      'UNAVAILABLE',
      `Cannot ${action}: the connection to RabbitMQ at ${this.shown} is down${why}; it is being made again. Try again shortly (the outbox relay does).`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Closes the connection; it is not made again. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sleeper.wake?.();
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => undefined);
    await this.#reconnecting;
  }

  async #connectOnce(): Promise<AMQPBaseClient> {
    let first: unknown;
    for (let i = 0; i < this.#endpoints.length; i++) {
      const endpoint = this.#endpoints[this.#next]!;
      this.#next = (this.#next + 1) % this.#endpoints.length;
      try {
        return await openClient(endpoint, this.#options);
      } catch (error) {
        first ??= error;
      }
    }
    throw first;
  }

  #adopt(client: AMQPBaseClient): void {
    this.#client = client;
    client.onerror = () => undefined; // what matters is reported when the connection goes
    client.ondisconnect = (error) => {
      if (this.#client !== client) return;
      this.#lost(error);
    };
  }

  #lost(error: unknown): void {
    this.#client = undefined;
    if (this.#closed) return;
    for (const part of this.#parts) part.lost();
    const why = error instanceof Error ? error.message : 'the socket closed';
    this.#report(
      new WhizbangError(
        'UNAVAILABLE',
        `The connection to RabbitMQ at ${this.shown} was lost (${why}); it is being made again with backoff. Until it is back, publishing fails with UNAVAILABLE; subscriptions and responders resume by themselves.`,
        error === undefined ? undefined : { cause: error },
      ),
    );
    this.#reconnecting ??= this.#reconnect()
      .catch((failure: unknown) => this.#report(this.down('reconnect', failure)))
      .finally(() => {
        this.#reconnecting = undefined;
      });
  }

  async #reconnect(): Promise<void> {
    const initial = this.#options.reconnect?.initialMs ?? 250;
    const most = this.#options.reconnect?.maxMs ?? 8_000;
    const attempts = this.#options.reconnect?.attempts ?? -1;
    for (let attempt = 0; attempts < 0 || attempt < attempts; attempt++) {
      const wait = Math.min(initial * 2 ** attempt, most);
      await backoffSleep(this.#sleeper, wait / 2 + Math.random() * (wait / 2));
      if (this.#closed) return;
      let client: AMQPBaseClient;
      try {
        client = await this.#connectOnce();
      } catch {
        continue; // the broker is still away
      }
      if (this.#closed) {
        await client.close().catch(() => undefined);
        return;
      }
      this.#adopt(client);
      try {
        for (const part of [...this.#parts]) await this.#within(part.restore(client));
        if (this.#client === client) return;
        // lost again while restoring: the next try restores everything again
      } catch (error) {
        this.#report(this.down('restore the subscriptions after reconnecting', error));
        if (this.#client === client) {
          this.#client = undefined;
          for (const part of this.#parts) part.lost();
          await client.close().catch(() => undefined);
        }
      }
    }
    this.#report(
      new WhizbangError(
        'UNAVAILABLE',
        `Gave up reconnecting to RabbitMQ at ${this.shown} after ${attempts} tries (reconnect.attempts). Create a new transport once the broker is back.`,
      ),
    );
  }

  /** `restoring`, or a rejection when the broker does not answer in time (a queue without a leader). */
  async #within(restoring: Promise<void>): Promise<void> {
    const ms = 3 * wholeOption('connectTimeoutMs', this.#options.connectTimeoutMs, 10_000, 1);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        restoring,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #report(error: WhizbangError): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // the hook is the last stop: nothing is left to report its failure to
    }
  }
}
