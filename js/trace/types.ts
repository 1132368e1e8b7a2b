/**
 * What the trace store keeps: plain JSON copies of dispatched envelopes (nothing live, nothing
 * `undefined`: absent values are `null`, so a record survives `JSON.stringify` unchanged), and the
 * causal tree built from them.
 */

/** A policy or routing decision recorded on a hop. */
export interface TracedDecision {
  /** The policy's name. */
  readonly policy: string;
  /** What it decided. */
  readonly decision: string;
  /** More about it, if anything. */
  readonly detail: string | null;
}

/** One step of a message's path. */
export interface TracedHop {
  /** Where it happened (`receptor:PlaceOrder`, …). */
  readonly where: string;
  /** The app that handled it. */
  readonly service: string;
  /** The topic it travelled on (empty when none). */
  readonly topic: string;
  /** The stream it touched, if any. */
  readonly streamId: string | null;
  /** When the step started, epoch milliseconds. */
  readonly at: number;
  /** How long it took, ms. */
  readonly durationMs: number;
  /** What the policies decided on the way. */
  readonly decisions: readonly TracedDecision[];
  /** W3C traceparent of the step's span. */
  readonly traceparent: string;
}

/** An event a message appended. */
export interface TracedEvent {
  /** The event's type. */
  readonly type: string;
  /** Its stream. */
  readonly streamId: string;
  /** Its version in the stream. */
  readonly version: number;
  /** Its global position. */
  readonly position: number;
  /** Its id. */
  readonly messageId: string;
  /** The id of its chain. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** Its tenant. */
  readonly tenant: string;
  /** Append time, epoch milliseconds. */
  readonly timestamp: number;
}

/** Why handling a message failed. */
export interface TracedError {
  /** The error's name. */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** The stable `code` of a Whizbang error (or any error that has a string `code`). */
  readonly code: string | null;
}

/** A dispatched envelope as the trace store keeps it. */
export interface TracedEnvelope {
  /** The message, as JSON (values JSON cannot hold are turned into strings). */
  readonly message: {
    readonly kind: 'command' | 'event';
    readonly type: string;
    readonly data: unknown;
  };
  /** The message's id. */
  readonly messageId: string;
  /** The id of its chain. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** The stream it went to, if any. */
  readonly streamId: string | null;
  /** Its tenant. */
  readonly tenant: string;
  /** Creation time, epoch milliseconds. */
  readonly timestamp: number;
  /** The W3C trace id it travels in. */
  readonly traceId: string;
  /** Where it went, in order. */
  readonly hops: readonly TracedHop[];
  /** The sum of the hops' durations, milliseconds. */
  readonly durationMs: number;
  /** The error, when handling failed. */
  readonly error: TracedError | null;
  /** Events appended by this message itself (not by its cascade), in order. */
  readonly events: readonly TracedEvent[];
}

/** A message in a causal tree: a command, or an event (recorded by a command, or published). */
export interface TraceNode {
  /** `'command'` or `'event'`. */
  readonly kind: 'command' | 'event';
  /** The message's id. */
  readonly messageId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** The message type's name. */
  readonly type: string;
  /** Its tenant. */
  readonly tenant: string;
  /** When it was created, epoch ms. */
  readonly timestamp: number;
  /** The stream an event was appended to; for a command, the stream it addressed or wrote to. */
  readonly streamId: string | null;
  /** An event's version in its stream. */
  readonly version: number | null;
  /** An event's global position. */
  readonly position: number | null;
  /** How long handling took, for messages handled here (commands, published events). */
  readonly durationMs: number | null;
  /** The error, when handling failed. */
  readonly error: TracedError | null;
  /** The envelope as dispatched; `null` for an event a command appended (it has no envelope of its own). */
  readonly envelope: TracedEnvelope | null;
  /** What this message caused: a command's events, then the commands it sent; an event's reactions. */
  readonly children: readonly TraceNode[];
}

/** Everything that followed from one original message. */
export interface TraceTree {
  /** The chain's id. */
  readonly correlationId: string;
  /** The original message (usually the command a caller sent). */
  readonly root: TraceNode;
  /**
   * Subtrees whose cause is not in the store: it was dropped for capacity, handled in another
   * process, or its step failed after appending (a failed step reports no events). Usually empty.
   */
  readonly detached: readonly TraceNode[];
  /** How many nodes the tree holds, `detached` included. */
  readonly size: number;
}
