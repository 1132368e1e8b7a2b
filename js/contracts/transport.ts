/**
 * Transports move envelopes between processes: memory (in process), NATS, BroadcastChannel.
 * A transport carries {@link WireEnvelope}s: plain JSON-safe objects, so any encoding works.
 */

import type { Message } from '../messages/message.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** A hop as carried on the wire. */
export interface WireHop {
  /** Where it happened (`receptor:PlaceOrder`, `outbox`, …). */
  readonly where: string;
  /** The service (app) that handled it. */
  readonly service: string;
  /** The topic it travelled on, if any. */
  readonly topic: string;
  /** The stream it touched, if any. */
  readonly streamId?: string;
  /** When the hop started, epoch ms. */
  readonly at: number;
  /** How long it took, ms. */
  readonly durationMs: number;
  /** What the policies decided on the way. */
  readonly decisions: ReadonlyArray<{
    readonly policy: string;
    readonly decision: string;
    readonly detail?: string;
  }>;
  /** The W3C traceparent of the hop. */
  readonly traceparent: string;
}

/** An envelope as it crosses a process boundary. */
export interface WireEnvelope {
  /** The message. */
  readonly message: Message;
  /** The message's id (UUIDv7). */
  readonly messageId: string;
  /** The id of the first message of its chain. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** The stream it belongs to, if any. */
  readonly streamId?: string;
  /** The tenant it belongs to. */
  readonly tenant: string;
  /** When it was created, epoch ms. */
  readonly timestamp: number;
  /** W3C traceparent of the step that sent it. */
  readonly traceparent: string;
  /** Where it went, in order. */
  readonly hops: readonly WireHop[];
  /** For an event: its version in its stream and its position in the sender's ledger. */
  readonly version?: number;
  /** The global position of an event that travels, if it was recorded. */
  readonly position?: number;
}

/** Options of {@link Transport.subscribe}. */
export interface TransportSubscribeOptions {
  /**
   * Competing consumers: among subscribers that share a queue name, each message goes to one of
   * them. Subscribers without a queue each get every message.
   */
  readonly queue?: string;
}

/** A delivery to a subscriber. Throwing (or rejecting) from the handler asks for redelivery. */
export type TransportHandler = (envelope: WireEnvelope, topic: string) => MaybePromise<void>;

/** Options of {@link Transport.request}. */
export interface TransportRequestOptions {
  /** How long to wait for the answer, ms (default 5000); then `REQUEST_TIMEOUT`. */
  readonly timeoutMs?: number;
}

/**
 * Answers a request: what it returns (JSON-safe) goes back to the requester; what it throws goes
 * back as an error with the same `code` and message. It is called once per request: no retries.
 */
export type TransportResponder = (envelope: WireEnvelope, topic: string) => MaybePromise<unknown>;

/**
 * An envelope a transport gave up on after its last delivery attempt, as a transport with a
 * dead-letter path tells of it (NATS, RabbitMQ: their `onDeadLetter` option).
 */
export interface TransportDeadLetter {
  /** The topic it was published on. */
  readonly topic: string;
  /** Why its last delivery failed. */
  readonly error: unknown;
  /** The envelope, when the bytes were one. */
  readonly envelope: WireEnvelope | undefined;
  /** The message as it was received (the envelope's bytes). */
  readonly data: Uint8Array;
  /** How many times it was delivered. */
  readonly deliveries: number;
}

/** A live subscription; `close` stops deliveries after the one in hand. */
export interface TransportSubscription {
  /** Stops the subscription. */
  close(): MaybePromise<void>;
}

/** Moves envelopes between processes. Topics are dot-separated; `*` matches one token, `>` the rest. */
export interface Transport {
  /** The transport's name, for logs and hops (`'memory'`, `'nats'`, …). */
  readonly name: string;
  /** Resolves once the transport has taken the envelope (it may still be in flight). */
  publish(topic: string, envelope: WireEnvelope): MaybePromise<void>;
  /**
   * Optional: resolves once everything published so far has reached the broker, for a transport
   * whose `publish` resolves before that (core NATS); rejects (`UNAVAILABLE`) when it cannot tell.
   * The outbox relay calls it before it takes records out of the outbox.
   */
  flush?(): MaybePromise<void>;
  /** Delivers every envelope published on `topic` to `handler` until the subscription closes. */
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: TransportSubscribeOptions,
  ): MaybePromise<TransportSubscription>;
  /**
   * Request/reply (an optional capability, offered together with `respond`): resolves with what
   * the one responder returned, or rejects with its error (same `code` and message),
   * `NO_RESPONDER` when nobody answers on the topic, or `REQUEST_TIMEOUT`.
   */
  request?(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  /**
   * Answers requests on `topic` (wildcards allowed). Among responders that share a `queue`, one
   * answers each request; responders without one each answer, and the first answer wins.
   */
  respond?(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): MaybePromise<TransportSubscription>;
  /** Closes the transport and its subscriptions. */
  close?(): MaybePromise<void>;
}
