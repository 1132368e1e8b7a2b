/**
 * Transports move envelopes between processes: memory (in process), NATS, BroadcastChannel.
 * A transport carries {@link WireEnvelope}s: plain JSON-safe objects, so any encoding works.
 */
import type { MaybePromise } from './maybe.ts';
import type { Message } from './message.ts';

/** A hop as carried on the wire. */
export interface WireHop {
  readonly where: string;
  readonly service: string;
  readonly topic: string;
  readonly streamId?: string;
  readonly at: number;
  readonly durationMs: number;
  readonly decisions: ReadonlyArray<{
    readonly policy: string;
    readonly decision: string;
    readonly detail?: string;
  }>;
  readonly traceparent: string;
}

/** An envelope as it crosses a process boundary. */
export interface WireEnvelope {
  readonly message: Message;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly streamId?: string;
  readonly tenant: string;
  readonly timestamp: number;
  /** W3C traceparent of the step that sent it. */
  readonly traceparent: string;
  readonly hops: readonly WireHop[];
  /** For an event: its version in its stream and its position in the sender's ledger. */
  readonly version?: number;
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

/** A live subscription; `close` stops deliveries after the one in hand. */
export interface TransportSubscription {
  close(): MaybePromise<void>;
}

/** Moves envelopes between processes. Topics are dot-separated; `*` matches one token, `>` the rest. */
export interface Transport {
  readonly name: string;
  /** Resolves once the transport has taken the envelope (it may still be in flight). */
  publish(topic: string, envelope: WireEnvelope): MaybePromise<void>;
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: TransportSubscribeOptions,
  ): MaybePromise<TransportSubscription>;
  close?(): MaybePromise<void>;
}
