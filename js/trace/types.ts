/**
 * What the trace store keeps: plain JSON copies of dispatched envelopes (nothing live, nothing
 * `undefined`: absent values are `null`, so a record survives `JSON.stringify` unchanged), and the
 * causal tree built from them.
 */

/** A policy or routing decision recorded on a hop. */
export interface TracedDecision {
  readonly policy: string;
  readonly decision: string;
  readonly detail: string | null;
}

/** One step of a message's path. */
export interface TracedHop {
  readonly where: string;
  readonly service: string;
  readonly topic: string;
  readonly streamId: string | null;
  /** When the step started, epoch milliseconds. */
  readonly at: number;
  readonly durationMs: number;
  readonly decisions: readonly TracedDecision[];
  /** W3C traceparent of the step's span. */
  readonly traceparent: string;
}

/** An event a message appended. */
export interface TracedEvent {
  readonly type: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: number;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly tenant: string;
  /** Append time, epoch milliseconds. */
  readonly timestamp: number;
}

/** Why handling a message failed. */
export interface TracedError {
  readonly name: string;
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
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly streamId: string | null;
  readonly tenant: string;
  /** Creation time, epoch milliseconds. */
  readonly timestamp: number;
  readonly traceId: string;
  readonly hops: readonly TracedHop[];
  /** The sum of the hops' durations, milliseconds. */
  readonly durationMs: number;
  readonly error: TracedError | null;
  /** Events appended by this message itself (not by its cascade), in order. */
  readonly events: readonly TracedEvent[];
}

/** A message in a causal tree: a command, or an event (recorded by a command, or published). */
export interface TraceNode {
  readonly kind: 'command' | 'event';
  readonly messageId: string;
  readonly causationId: string;
  readonly type: string;
  readonly tenant: string;
  readonly timestamp: number;
  /** The stream an event was appended to; for a command, the stream it addressed or wrote to. */
  readonly streamId: string | null;
  /** An event's version in its stream. */
  readonly version: number | null;
  /** An event's global position. */
  readonly position: number | null;
  /** How long handling took, for messages handled here (commands, published events). */
  readonly durationMs: number | null;
  readonly error: TracedError | null;
  /** The envelope as dispatched; `null` for an event a command appended (it has no envelope of its own). */
  readonly envelope: TracedEnvelope | null;
  /** What this message caused: a command's events, then the commands it sent; an event's reactions. */
  readonly children: readonly TraceNode[];
}

/** Everything that followed from one original message. */
export interface TraceTree {
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
