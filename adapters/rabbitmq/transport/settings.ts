/**
 * The RabbitMQ transport's options, checked once into the settings its parts share, and the
 * queues a subscription or a responder declares with them.
 */

import { invalidArgument, wholeOption } from '../../../js/kit/mod.ts';
import type { TransportDeadLetter, WhizbangError } from '../../../js/mod.ts';
import { binaryCodec, type EnvelopeCodec } from '../../../js/wasm/mod.ts';
import type { RabbitConnectOptions } from '../connect.ts';
import type { ReconnectOptions } from '../connection.ts';
import { type Topology, topologyOf } from '../topology.ts';

/** What reached the dead-letter exchange, and why. */
export type DeadLetter = TransportDeadLetter;

/** How envelopes travel: see {@link RabbitTransportOptions.mode}. */
export type RabbitMode = 'reliable' | 'fire-and-forget';

/** Options of `rabbitmqTransport`. */
export interface RabbitTransportOptions extends RabbitConnectOptions {
  /**
   * `'reliable'` (default): `publish` resolves once the broker confirmed the envelope (publisher
   * confirms), envelopes are persistent, and every subscription is a durable quorum queue (a
   * queue group's stays while the group is away; a plain one's goes `queueExpiry.plainMs` after
   * its process did). `'fire-and-forget'`: `publish` resolves once the envelope is written to
   * the socket, envelopes are transient and the queues are classic ones that go with their
   * consumers. In both, deliveries are acked after the handler, `prefetch` bounds them, and a
   * failed handler is tried again, then dead-lettered.
   */
  readonly mode?: RabbitMode;
  /**
   * The envelope format on the wire: the binary format of the WebAssembly core by default
   * (`binaryCodec()`, the same as NATS); `jsonCodec` for UTF-8 JSON.
   */
  readonly codec?: EnvelopeCodec;
  /**
   * The topic exchange envelopes go to (default `whizbang`); requests go to `<exchange>.requests`,
   * dead letters to `<exchange>.dead-letter`. Transports on different exchanges do not meet.
   */
  readonly exchange?: string;
  /** Unacked envelopes one subscription may hold (AMQP prefetch, default 32): the back-pressure. */
  readonly prefetch?: number;
  /** How a failed handler is tried again before the envelope is dead-lettered. */
  readonly redelivery?: {
    /** Deliveries of one envelope before it is dead-lettered (default 5). */
    readonly attempts?: number;
    /** Wait before the first retry, doubling after each failure (default 100 ms). */
    readonly backoffMs?: number;
  };
  /** Where dead letters go: the exchange (default `<exchange>.dead-letter`) and the queue that keeps them (default `<exchange>.dead-letters`; `false` for none). */
  readonly deadLetters?: { readonly exchange?: string; readonly queue?: string | false };
  /** Told of each dead letter once the broker has it (a place to log it). Its errors are ignored. */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** When the queues of subscriptions that went away are deleted by the broker. */
  readonly queueExpiry?: {
    /** Reliable mode: a plain subscription's queue goes this long after its process did, ms (default 60 000). */
    readonly plainMs?: number;
    /** Reliable mode: a queue group's queue goes this long after its last member did, ms (default: it stays). */
    readonly groupMs?: number;
  };
  /** Requests one responder answers at once (default 64). */
  readonly respondConcurrency?: number;
  /** How a lost connection is made again: waits that double up to a bound, and how many tries. */
  readonly reconnect?: ReconnectOptions;
  /** Told of what goes wrong in the background: a lost connection, a failed reconnect. */
  readonly onError?: (error: WhizbangError) => void;
}

/** A transport's options, checked and with their defaults. */
export interface TransportSettings {
  readonly codec: EnvelopeCodec;
  readonly reliable: boolean;
  readonly topology: Topology;
  readonly prefetch: number;
  /** Deliveries of one envelope before the dead letter. */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  readonly plainExpiresMs: number;
  readonly groupExpiresMs: number | undefined;
  readonly respondConcurrency: number;
}

/** Checks a transport's options; throws INVALID_ARGUMENT for the first wrong one. */
export function transportSettings(options: RabbitTransportOptions): TransportSettings {
  const mode = options.mode ?? 'reliable';
  if (mode !== 'reliable' && mode !== 'fire-and-forget') {
    throw invalidArgument(
      `"mode" is 'reliable' or 'fire-and-forget', got ${JSON.stringify(mode)}.`,
    );
  }
  const backoffMs = options.redelivery?.backoffMs ?? 100;
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalidArgument(`"redelivery.backoffMs" must be a number ≥ 0, got ${backoffMs}.`);
  }
  const groupMs = options.queueExpiry?.groupMs;
  return {
    codec: options.codec ?? binaryCodec(),
    reliable: mode === 'reliable',
    topology: topologyOf(options.exchange ?? 'whizbang', options.deadLetters),
    prefetch: wholeOption('prefetch', options.prefetch, 32, 1),
    attempts: wholeOption('redelivery.attempts', options.redelivery?.attempts, 5, 1),
    backoffMs,
    onDeadLetter: options.onDeadLetter,
    plainExpiresMs: wholeOption('queueExpiry.plainMs', options.queueExpiry?.plainMs, 60_000, 1),
    groupExpiresMs:
      groupMs === undefined ? undefined : wholeOption('queueExpiry.groupMs', groupMs, 0, 1),
    respondConcurrency: wholeOption('respondConcurrency', options.respondConcurrency, 64, 1),
  };
}

/** A queue to declare: its name (`''` for one the broker names) and how. */
export interface QueueSpec {
  readonly name: string;
  readonly params: {
    readonly durable?: boolean;
    readonly autoDelete?: boolean;
    readonly exclusive?: boolean;
  };
  readonly args: Readonly<Record<string, unknown>>;
  /** Whether closing the subscription deletes it (a plain subscription's). */
  readonly deleteOnClose: boolean;
}

/** The queue of a subscription: `name` for a queue group's, none for a plain one. */
export function subscriptionQueue(
  settings: TransportSettings,
  name: string | undefined,
  plainName: () => string,
): QueueSpec {
  const { reliable, topology, plainExpiresMs, groupExpiresMs } = settings;
  if (!reliable) {
    return name === undefined
      ? { name: '', params: { exclusive: true, autoDelete: true }, args: {}, deleteOnClose: true }
      : { name, params: { autoDelete: true }, args: {}, deleteOnClose: false };
  }
  const expires = name === undefined ? plainExpiresMs : groupExpiresMs;
  return {
    name: name ?? plainName(),
    params: { durable: true },
    args: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': topology.deadLetters,
      ...(expires === undefined ? {} : { 'x-expires': expires }),
    },
    deleteOnClose: name === undefined,
  };
}
