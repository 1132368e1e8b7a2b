/**
 * The Ledger: the event store every driver implements. Small required interface; drivers may be
 * synchronous (memory, SQLite) or asynchronous (IndexedDB, PostgreSQL): callers handle both.
 */
import type { Envelope } from '../messages/envelope.ts';
import type { Event } from '../messages/message.ts';
import type { MaybePromise } from '../util/maybe.ts';
import type { StoreWriter } from './store.ts';

/**
 * What an append expects of the stream: a version number (0 = no events yet), `'no_stream'`,
 * `'stream_exists'`, or `'any'` (no check).
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** An event to append: the message plus optional identity (filled in when absent). */
export interface NewEvent<E extends Event = Event> {
  /** The event's type. */
  readonly type: E['type'];
  /** The event's payload (JSON-compatible). */
  readonly data: E['data'];
  /** Its id (default: a new UUIDv7). */
  readonly messageId?: string;
  /** The id of the first message of its chain (default: its own id). */
  readonly correlationId?: string;
  /** The id of the message that caused it (default: its own id). */
  readonly causationId?: string;
  /** When it happened, epoch ms (default: now). */
  readonly timestamp?: number;
  /** Data about the event that is not its payload (JSON-compatible). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What every stored event carries besides its type and data. */
export interface RecordedEventBase {
  /** Always `'event'`. */
  readonly kind: 'event';
  /** The stream it was appended to. */
  readonly streamId: string;
  /** 1-based version within the stream. */
  readonly version: number;
  /** 1-based global position across all streams. */
  readonly position: number;
  /** The tenant it belongs to. */
  readonly tenant: string;
  /** The event's id (UUIDv7). */
  readonly messageId: string;
  /** The id of the first message of its chain. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** Append time, epoch milliseconds. */
  readonly timestamp: number;
  /** Data about the event that is not its payload, if any. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/**
 * An event as stored: the message plus where it sits in its stream and in the whole log.
 * Distributes over a union, so narrowing on `type` narrows `data`.
 */
export type RecordedEvent<E extends Event = Event> = E extends Event
  ? RecordedEventBase & { readonly type: E['type']; readonly data: E['data'] }
  : never;

/** Options of {@link Ledger.append}. */
export interface AppendOptions {
  /**
   * The version the stream must be at (or `'any'`, `'no_stream'`, `'stream_exists'`); else
   * `ConcurrencyError`.
   */
  readonly expectedVersion?: ExpectedVersion;
  /** The tenant of the stream (default `'default'`). */
  readonly tenant?: string;
  /**
   * Runs inside the append's transaction with the recorded events: inline perspectives (and the
   * outbox) write through `tx`. If it throws, nothing of the append is kept.
   */
  readonly inTransaction?:
    | ((events: readonly RecordedEvent[], tx: StoreWriter) => MaybePromise<void>)
    | undefined;
  /**
   * The message whose handling made this append (the runtime passes the command or the published
   * event's envelope). Drivers ignore it; offline sync keeps the command with a pending commit.
   */
  readonly cause?: Envelope | undefined;
  /**
   * An id for this commit that makes a repeated append land once, where the ledger can tell
   * (the JetStream ledger sends it as `Nats-Msg-Id`); offline sync pushes each commit under its id.
   */
  readonly commitId?: string | undefined;
}

/** What an append did. */
export interface AppendResult {
  /** The stream appended to. */
  readonly streamId: string;
  /** The stream's version after the append. */
  readonly version: number;
  /** Global position of the last appended event (of the head when nothing was appended). */
  readonly position: number;
  /** The events as recorded, with their versions and positions. */
  readonly events: readonly RecordedEvent[];
}

/** Options of {@link Ledger.readStream}. */
export interface ReadStreamOptions {
  /** The tenant of the stream (default `'default'`). */
  readonly tenant?: string;
  /** First version to read (default 1). */
  readonly from?: number;
  /** Last version to read, inclusive. */
  readonly to?: number;
  /** At most this many events. */
  readonly limit?: number;
}

/** Options of {@link Ledger.readAll}. */
export interface ReadAllOptions {
  /** First global position to read (default 1). */
  readonly from?: number;
  /** Last global position to read, inclusive. */
  readonly to?: number;
  /** At most this many events. */
  readonly limit?: number;
  /** Only events of one tenant. */
  readonly tenant?: string;
  /** Only events of these types. */
  readonly types?: readonly string[];
}

/** The event store behind an app. */
export interface Ledger {
  /** Appends `events` to a stream in one transaction, checking `options.expectedVersion` first. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): MaybePromise<AppendResult>;
  /** The events of one stream, in version order (`options.from`, `to`, `limit` narrow it). */
  readStream(streamId: string, options?: ReadStreamOptions): MaybePromise<RecordedEvent[]>;
  /**
   * Events of every stream by global position (`options` narrow it by position, tenant and type).
   */
  readAll(options?: ReadAllOptions): MaybePromise<RecordedEvent[]>;
  /** The stream's current version; 0 when it has no events. */
  streamVersion(streamId: string, options?: { readonly tenant?: string }): MaybePromise<number>;
  /** Global position of the newest event; 0 when empty. */
  headPosition(): MaybePromise<number>;
  /** Calls `listener` after new events commit (possibly coalesced). Returns an unsubscribe function. */
  watch(listener: () => void): () => void;
  /** Closes it and lets go of what it holds. */
  close?(): MaybePromise<void>;
  /**
   * Optional, for offline sync: in one transaction, removes the stream's events after version
   * `after` (local commits never shared, which another writer's events displaced) and appends
   * `events` in their place. `options.expectedVersion` is ignored (the stream is expected at
   * `after` once cut). Positions of removed events may be given out again.
   */
  replaceTail?(
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): MaybePromise<AppendResult>;
  /**
   * Optional: several appends (to different streams) in one transaction, all or none, in order;
   * offline sync writes a page of pulled commits with it.
   */
  appendBatch?(appends: readonly BatchAppend[]): MaybePromise<AppendResult[]>;
  /**
   * Optional: reads the log from a position to the head as it is now, in batches of about
   * `batch` events over one cursor (a remote log reads faster so than page by page).
   */
  readAllBatches?(options: {
    readonly from?: number;
    readonly batch?: number;
  }): AsyncIterable<RecordedEvent[]>;
}

/** One append of {@link Ledger.appendBatch}. */
export interface BatchAppend {
  /** The stream to append to. */
  readonly streamId: string;
  /** The events to append. */
  readonly events: readonly NewEvent[];
  /** Its expected version and tenant. */
  readonly options?: AppendOptions;
}

/** A ledger whose every answer is a promise: one over an asynchronous database. */
export interface AsyncLedger extends Ledger {
  /** Appends `events` to a stream in one transaction, checking `options.expectedVersion` first. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** The events of one stream, in version order (`options.from`, `to`, `limit` narrow it). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Events of every stream by global position (`options` narrow it by position, tenant and type).
   */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The version of a stream (0 when it has no event). */
  streamVersion(streamId: string, options?: { readonly tenant?: string }): Promise<number>;
  /** The global position of the last event appended (0 when there is none). */
  headPosition(): Promise<number>;
}
