/**
 * Outbox and inbox. Messages that leave the process are written to the outbox in the same
 * transaction as the events that caused them, and a relay hands them to a transport later (at
 * least once, in order per stream); what it gives up on moves to the dead letters, kept until
 * replayed. The inbox remembers which incoming messages were handled, and what was left of a
 * handling that stopped half way, so a redelivered one has its whole effect once. Both are
 * optional capabilities of a perspective store.
 */
import type { MaybePromise } from '../util/maybe.ts';
import type { WireEnvelope } from './transport.ts';

/** A message waiting in the outbox. */
export interface OutboxRecord {
  /** The message id (unique). */
  readonly id: string;
  /** The topic to publish on. */
  readonly topic: string;
  /** The envelope to publish. */
  readonly envelope: WireEnvelope;
  /** Deliveries tried so far. */
  readonly attempts: number;
  /** When it was written, epoch milliseconds. */
  readonly enqueuedAt: number;
  /** Not delivered before this time (after a failed attempt), epoch milliseconds. */
  readonly availableAt: number;
  /** Why the last try to deliver it failed. */
  readonly lastError?: string;
}

/** A record the relay gave up on: out of the outbox, kept until it is replayed. */
export interface DeadLetterRecord extends OutboxRecord {
  /** Why its last delivery failed. */
  readonly lastError: string;
  /** When it was moved here, epoch milliseconds. */
  readonly deadAt: number;
}

/** How much the outbox, the dead letters and the inbox hold. */
export interface OutboxCounts {
  /** Records waiting to be delivered. */
  readonly outbox: number;
  /** Records the relay gave up on (see {@link OutboxStore.deadLetters}). */
  readonly deadLetters: number;
  /** Incoming message ids the inbox remembers. */
  readonly inbox: number;
}

/** Writes of the outbox and inbox inside a store transaction. */
export interface OutboxWriter {
  /** Writes records to the outbox (inside the append's transaction). */
  enqueue(records: readonly OutboxRecord[]): MaybePromise<void>;
  /**
   * Records an incoming message as handled; throws `DUPLICATE_MESSAGE` if it already was (the
   * caller rolls back). `rest` (JSON-safe), when given, is what is left to do of its handling:
   * {@link OutboxStore.unfinished} returns it until {@link OutboxWriter.markFinished}.
   */
  markHandled(tenant: string, messageId: string, rest?: unknown): MaybePromise<void>;
  /** Forgets the `rest` of a handled message: its handling is complete. */
  markFinished(tenant: string, messageId: string): MaybePromise<void>;
}

/** The outbox's reading side, for the relay, and the inbox's questions. */
export interface OutboxStore {
  /**
   * Records due at `now`, oldest first — none behind a record of its stream ({@link outboxStream})
   * that is not due yet: a stream waits for its oldest record, other streams go on.
   */
  pending(limit: number, now: number): MaybePromise<OutboxRecord[]>;
  /** Marks records as delivered: they are not handed out again. */
  delivered(ids: readonly string[]): MaybePromise<void>;
  /**
   * Puts a record back after a failed delivery, to try again from `availableAt`: one more
   * attempt, the error kept, its place in line unchanged (its stream waits for it).
   */
  retryLater(id: string, error: string, availableAt: number): MaybePromise<void>;
  /**
   * Moves a record out of the outbox into the dead letters after its last failed delivery (one
   * more attempt counted), with that error, at `at`.
   */
  deadLetter(id: string, error: string, at: number): MaybePromise<void>;
  /** The dead letters, oldest first (at most `limit`, default all). */
  deadLetters(limit?: number): MaybePromise<DeadLetterRecord[]>;
  /**
   * Moves dead letters (those of `ids`, or all) back to the end of the outbox, due now with no
   * attempts; resolves with how many moved.
   */
  replay(ids?: readonly string[]): MaybePromise<number>;
  /** How many records wait, are dead letters, and how many message ids the inbox remembers. */
  counts(): MaybePromise<OutboxCounts>;
  /** Whether an incoming message was handled already (finished or not). */
  handled(tenant: string, messageId: string): MaybePromise<boolean>;
  /** What is left to do of a handled message (its `rest`), or undefined when nothing is. */
  unfinished(tenant: string, messageId: string): MaybePromise<unknown>;
}

/**
 * The stream an outbox record keeps its order in: its tenant and stream id (an event, or any
 * message with a stream), or its tenant and topic (a command, which has none). JSON text, so a
 * driver can keep it in a column: `["acme","order-1"]`, `["acme",null,"whizbang.commands.Ship"]`.
 */
export function outboxStream(record: Pick<OutboxRecord, 'topic' | 'envelope'>): string {
  const { tenant, streamId } = record.envelope;
  return streamId === undefined
    ? JSON.stringify([tenant, null, record.topic])
    : JSON.stringify([tenant, streamId]);
}

/** Where a message goes: handled here, sent through the outbox, both, or (events) only recorded. */
export type RouteTarget = 'local' | 'outbox' | 'both' | 'ledger-only' | 'remote';

const TOKEN = /^[A-Za-z0-9_\-:$]+$/;

/** The topic a message travels on: `whizbang.<commands|events>.<type>` unless given. */
export function topicFor(kind: 'command' | 'event', type: string): string {
  return `whizbang.${kind}s.${type}`;
}

/** The topic a command is invoked on in another process: `whizbang.invoke.<type>`. */
export function invokeTopic(type: string): string {
  return `whizbang.invoke.${type}`;
}

/** True when `topic` is a concrete topic (no wildcards) with tokens a transport accepts. */
export function isTopic(topic: string): boolean {
  return topic.split('.').every((t) => TOKEN.test(t));
}
