/**
 * Envelopes: a message plus its identity and its path. Every step a message takes adds a hop, so
 * "what happened because of this command" can be answered from the envelopes alone.
 */
import { spanId, traceId, uuidv7 } from '../util/ids.ts';
import { now, platform } from '../util/platform.ts';
import type { Message } from './message.ts';

/** A decision a policy or the router took for a message on one hop. */
export interface PolicyDecision {
  readonly policy: string;
  readonly decision: string;
  readonly detail?: string;
}

/** One step on a message's path. */
export interface Hop {
  /** What handled it: `dispatcher`, `receptor:Deposit`, `ledger`, `perspective:balances`, … */
  readonly where: string;
  /** The service (app name) that took this step. */
  readonly service: string;
  /** The topic or message type. */
  readonly topic: string;
  readonly streamId?: string;
  /** When the step started, epoch milliseconds. */
  readonly at: number;
  /** How long it took, milliseconds. */
  durationMs: number;
  readonly decisions: PolicyDecision[];
  /** W3C traceparent of this step's span. */
  readonly traceparent: string;
}

/** A message with its identity and its path. */
export interface Envelope<M extends Message = Message> {
  readonly message: M;
  /** UUIDv7, unique per message. */
  readonly messageId: string;
  /** Shared by every message that follows from one original command. */
  readonly correlationId: string;
  /** The message id of the message that caused this one (its own id for an original). */
  readonly causationId: string;
  readonly streamId: string | undefined;
  readonly tenant: string;
  /** Creation time, epoch milliseconds. */
  readonly timestamp: number;
  readonly traceId: string;
  readonly hops: Hop[];
}

/** Where a message comes from, for {@link createEnvelope}. */
export interface EnvelopeOrigin {
  readonly tenant?: string;
  readonly streamId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceId?: string;
  readonly messageId?: string;
}

/** The tenant used when none is given. */
export const DEFAULT_TENANT = 'default';

const NO_DECISIONS: PolicyDecision[] = [];
const TIME_ORIGIN = platform.performance.timeOrigin;

/** A hop whose span id (and so its traceparent) is made only when first read. */
class HopRecord implements Hop {
  readonly where: string;
  readonly service: string;
  readonly topic: string;
  readonly streamId?: string;
  readonly at: number;
  durationMs: number;
  #decisions: PolicyDecision[] = NO_DECISIONS;
  #envelope: Envelope;
  #span: string | undefined;

  constructor(envelope: Envelope, where: string, service: string, streamId: string | undefined) {
    const start = now();
    this.where = where;
    this.service = service;
    this.topic = envelope.message.type;
    if (streamId !== undefined) this.streamId = streamId;
    this.at = Math.round(TIME_ORIGIN + start);
    this.durationMs = start;
    this.#envelope = envelope;
    this.#span = undefined;
  }

  get decisions(): PolicyDecision[] {
    if (this.#decisions === NO_DECISIONS) this.#decisions = [];
    return this.#decisions;
  }

  get traceparent(): string {
    this.#span ??= spanId();
    return `00-${this.#envelope.traceId}-${this.#span}-01`;
  }

  toJSON(): Hop {
    return {
      where: this.where,
      service: this.service,
      topic: this.topic,
      ...(this.streamId === undefined ? {} : { streamId: this.streamId }),
      at: this.at,
      durationMs: this.durationMs,
      decisions: this.#decisions,
      traceparent: this.traceparent,
    };
  }
}

/** An envelope whose trace id is made when first read (most in-process messages never need one). */
class EnvelopeRecord<M extends Message> implements Envelope<M> {
  readonly message: M;
  readonly streamId: string | undefined;
  readonly tenant: string;
  readonly timestamp: number;
  readonly hops: Hop[] = [];
  #messageId: string | undefined;
  #correlationId: string | undefined; // undefined: the message's own id (an original)
  #causationId: string | undefined;
  #traceId: string | undefined;

  constructor(message: M, origin: EnvelopeOrigin, parent: Envelope | undefined) {
    this.message = message;
    this.timestamp = Date.now();
    this.#messageId = origin.messageId;
    this.#correlationId = origin.correlationId ?? parent?.correlationId;
    this.#causationId = origin.causationId ?? parent?.messageId;
    this.streamId = origin.streamId;
    this.tenant = origin.tenant ?? parent?.tenant ?? DEFAULT_TENANT;
    this.#traceId = origin.traceId ?? (parent === undefined ? undefined : parent.traceId);
  }

  /** Made when first read: a message that nothing refers to (an RPC answered in process) never pays for one. */
  get messageId(): string {
    this.#messageId ??= uuidv7(this.timestamp);
    return this.#messageId;
  }

  get correlationId(): string {
    return this.#correlationId ?? this.messageId;
  }

  get causationId(): string {
    return this.#causationId ?? this.messageId;
  }

  get traceId(): string {
    this.#traceId ??= traceId();
    return this.#traceId;
  }

  toJSON(): Omit<Envelope<M>, 'hops'> & { hops: unknown[] } {
    return {
      message: this.message,
      messageId: this.messageId,
      correlationId: this.correlationId,
      causationId: this.causationId,
      streamId: this.streamId,
      tenant: this.tenant,
      timestamp: this.timestamp,
      traceId: this.traceId,
      hops: this.hops,
    };
  }
}

/** Wraps a message in a new envelope; with `parent`, the new one follows from it (same correlation). */
export function createEnvelope<M extends Message>(
  message: M,
  origin: EnvelopeOrigin = {},
  parent?: Envelope,
): Envelope<M> {
  return new EnvelopeRecord(message, origin, parent);
}

/**
 * Starts a hop on `envelope`: `at` comes from the monotonic clock (anchored at process start), and
 * the span id is made when the traceparent is first read. Call {@link endHop} when the step is done.
 */
export function startHop(
  envelope: Envelope,
  where: string,
  service: string,
  streamId?: string,
): Hop {
  const hop = new HopRecord(envelope, where, service, streamId);
  envelope.hops.push(hop);
  return hop;
}

/** Ends a hop started with {@link startHop}, recording its duration. */
export function endHop(hop: Hop): void {
  hop.durationMs = now() - hop.durationMs;
}
