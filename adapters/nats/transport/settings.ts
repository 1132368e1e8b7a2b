/**
 * The NATS transport's options, checked once into the settings its parts share, with what they
 * share besides: topics as subjects under a prefix, and the error of a closed transport.
 */

import { checkTopic, invalidArgument, wholeOption } from '../../../js/kit/mod.ts';
import { type TransportDeadLetter, WhizbangError } from '../../../js/mod.ts';
import { binaryCodec, type EnvelopeCodec } from '../../../js/wasm/mod.ts';
import type { NatsConnectOptions } from '../connect.ts';
import { natsName } from '../jetstream.ts';
import type { NatsTransportStatus } from './link.ts';

/** What reached the dead-letter subject, and why. */
export type DeadLetter = TransportDeadLetter;

/** Options of {@link natsTransport}. */
export interface NatsTransportOptions extends NatsConnectOptions {
  /**
   * The envelope format on the wire: the binary format of the WebAssembly core by default
   * (`binaryCodec()`, one checksummed segment per envelope); `jsonCodec` for UTF-8 JSON.
   */
  readonly codec?: EnvelopeCodec;
  /** A subject prefix for every topic (default none in core NATS, `whizbang` with JetStream). */
  readonly prefix?: string;
  /** How a failed JetStream delivery is tried again: the waits between tries and how many. */
  readonly redelivery?: {
    /** Deliveries of one envelope before it goes to the dead letter (default 5). */
    readonly attempts?: number;
    /** Wait before the first redelivery, doubling after each failure (default 100 ms). */
    readonly backoffMs?: number;
  };
  /** Where dead letters are published: `<subject>.<topic>` (default `whizbang.dlq`). */
  readonly deadLetterSubject?: string;
  /** Told of each dead letter after it is published (a place to log it). Its errors are ignored. */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** Told of each change of the connection's status (see `NatsTransport.status`). */
  readonly onStatus?: (status: NatsTransportStatus) => void;
  /**
   * Told of failures in the background: a subscription that could not be made once the server
   * came, a connect that failed for another reason than the server being away.
   */
  readonly onError?: (error: unknown) => void;
  /** Reliable delivery through JetStream instead of core NATS. */
  readonly jetstream?: {
    /** The stream that keeps the envelopes (default `WHIZBANG`); made when missing, on `<prefix>.>`. */
    readonly stream?: string;
    /**
     * How long the server waits for an ack before redelivering, ms (default 5000). A handler that
     * takes longer keeps its message by telling the server it is working (every half of this),
     * so this is how long a consumer that died holds back its group.
     */
    readonly ackWaitMs?: number;
    /**
     * Where a new named consumer (a queue group, or a `durable` name) starts: `'all'` (default:
     * everything the stream holds on its topic, so what was published before the group first
     * listened reaches it), `'new'` (only what is published after it is made), or `{ since }` (a
     * time). An existing consumer resumes where it stopped; a plain subscription starts at new.
     */
    readonly deliver?: 'all' | 'new' | { readonly since: Date | number };
    /**
     * Unacked envelopes one consumer may have out (default 1, which keeps each subscription's
     * order through redeliveries; more is faster and may reorder after a failure).
     */
    readonly maxAckPending?: number;
    /** Replicas of the stream when the transport makes it (a cluster: 3; default 1). */
    readonly replicas?: number;
  };
}

/** JetStream's settings of a transport. */
export interface JetStreamSettings {
  readonly streamName: string;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly deliver: 'all' | 'new' | { readonly since: Date | number };
  /** Replicas of a stream the transport makes. */
  readonly replicas: number;
}

/** A transport's options, checked and with their defaults. */
export interface TransportSettings {
  readonly codec: EnvelopeCodec;
  /** Deliveries of one envelope before the dead letter. */
  readonly attempts: number;
  readonly backoffMs: number;
  /** The subject prefix of topics ('' for none). */
  readonly prefix: string;
  readonly deadLetterSubject: string;
  readonly onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  readonly onError: ((error: unknown) => void) | undefined;
  /** Present when envelopes go through JetStream. */
  readonly jetstream: JetStreamSettings | undefined;
}

/** Checks a transport's options; throws INVALID_ARGUMENT for the first wrong one. */
export function transportSettings(options: NatsTransportOptions): TransportSettings {
  const codec = options.codec ?? binaryCodec();
  const attempts = wholeOption('redelivery.attempts', options.redelivery?.attempts, 5, 1);
  const backoffMs = options.redelivery?.backoffMs ?? 100;
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalidArgument(`"redelivery.backoffMs" must be a number ≥ 0, got ${backoffMs}.`);
  }
  const durable = options.jetstream;
  const prefix = options.prefix ?? (durable === undefined ? '' : 'whizbang');
  if (prefix !== '') checkTopic(prefix, 'publish');
  const deadLetterSubject = options.deadLetterSubject ?? 'whizbang.dlq';
  checkTopic(deadLetterSubject, 'publish');
  const ackWaitMs = wholeOption('jetstream.ackWaitMs', durable?.ackWaitMs, 5_000, 1);
  const deliver = durable?.deliver ?? 'all';
  if (
    deliver !== 'all' &&
    deliver !== 'new' &&
    !(
      typeof deliver === 'object' &&
      Number.isFinite(new Date(deliver?.since as Date | number).getTime())
    )
  ) {
    throw invalidArgument(
      `"jetstream.deliver" is 'all', 'new' or { since: Date }, got ${JSON.stringify(deliver)}.`,
    );
  }
  const maxAckPending = wholeOption('jetstream.maxAckPending', durable?.maxAckPending, 1, 1);
  const replicas = wholeOption('jetstream.replicas', durable?.replicas, 1, 1);
  const streamName = natsName(durable?.stream ?? 'WHIZBANG', 'jetstream.stream');
  return {
    codec,
    attempts,
    backoffMs,
    prefix,
    deadLetterSubject,
    onDeadLetter: options.onDeadLetter,
    onError: options.onError,
    jetstream:
      durable === undefined
        ? undefined
        : { streamName, ackWaitMs, maxAckPending, deliver, replicas },
  };
}

/** Topics as subjects under a prefix, and back. */
export interface Subjects {
  subjectOf(topic: string): string;
  topicOf(subject: string): string;
}

/** The subjects of topics under `prefix` ('' for none). */
export function subjectsUnder(prefix: string): Subjects {
  return {
    subjectOf: (topic) => (prefix === '' ? topic : `${prefix}.${topic}`),
    topicOf: (subject) => (prefix === '' ? subject : subject.slice(prefix.length + 1)),
  };
}

/** The CLOSED error of a transport asked to `action` after it closed. */
export function closedError(action: string): WhizbangError {
  return new WhizbangError(
    'CLOSED',
    `Cannot ${action}: this NATS transport is closed. Create a new one with natsTransport().`,
  );
}
