/**
 * Envelopes: a message plus its identity and its path. Every step a message takes adds a hop, so
 * "what happened because of this command" can be answered from the envelopes alone.
 */
import { spanId, traceId, uuidv7 } from './ids.ts';
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

/** Wraps a message in a new envelope; with `parent`, the new one follows from it (same correlation). */
export function createEnvelope<M extends Message>(
  message: M,
  origin: EnvelopeOrigin = {},
  parent?: Envelope,
): Envelope<M> {
  const timestamp = Date.now();
  const messageId = origin.messageId ?? uuidv7(timestamp);
  return {
    message,
    messageId,
    correlationId: origin.correlationId ?? parent?.correlationId ?? messageId,
    causationId: origin.causationId ?? parent?.messageId ?? messageId,
    streamId: origin.streamId,
    tenant: origin.tenant ?? parent?.tenant ?? DEFAULT_TENANT,
    timestamp,
    traceId: origin.traceId ?? parent?.traceId ?? traceId(),
    hops: [],
  };
}

/** Starts a hop on `envelope`; call `endHop` with the returned hop when the step is done. */
export function startHop(
  envelope: Envelope,
  where: string,
  service: string,
  streamId?: string,
): Hop {
  const span = spanId();
  const hop: Hop = {
    where,
    service,
    topic: envelope.message.type,
    at: Date.now(),
    durationMs: performance.now(),
    decisions: [],
    traceparent: `00-${envelope.traceId}-${span}-01`,
    ...(streamId === undefined ? {} : { streamId }),
  };
  envelope.hops.push(hop);
  return hop;
}

/** Ends a hop started with {@link startHop}, recording its duration. */
export function endHop(hop: Hop): void {
  hop.durationMs = performance.now() - hop.durationMs;
}
