/**
 * Outbox and inbox. Messages that leave the process are written to the outbox in the same
 * transaction as the events that caused them, and a relay hands them to a transport later (at
 * least once). The inbox remembers which incoming messages were handled, so a redelivered one has
 * its effect once. Both are optional capabilities of a perspective store.
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

/** Writes of the outbox and inbox inside a store transaction. */
export interface OutboxWriter {
  /** Writes records to the outbox (inside the append's transaction). */
  enqueue(records: readonly OutboxRecord[]): MaybePromise<void>;
  /** Records an incoming message as handled; throws if it already was (the caller rolls back). */
  markHandled(tenant: string, messageId: string): MaybePromise<void>;
}

/** The outbox's reading side, for the relay. */
export interface OutboxStore {
  /** Records available at `now`, oldest first. */
  pending(limit: number, now: number): MaybePromise<OutboxRecord[]>;
  /** Marks records as delivered: they are not handed out again. */
  delivered(ids: readonly string[]): MaybePromise<void>;
  /** Puts a record back after a failed delivery, to try again from `availableAt`. */
  retryLater(id: string, error: string, availableAt: number): MaybePromise<void>;
  /** Takes a record out for good (dead letter) after too many attempts. */
  remove(id: string): MaybePromise<void>;
  /** Whether an incoming message was handled already. */
  handled(tenant: string, messageId: string): MaybePromise<boolean>;
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
