/**
 * What offline sync keeps in the local store, beside the app's read models: pending commits (each
 * with the command that made it and the stream version it was decided on), the cursor into the
 * shared log, and the conflicts it reported. Written in the same local transactions as the events
 * they speak of.
 */
import type { ExpectedVersion, NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { StoredModel, StoreWriter } from '../contracts/store.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** The store's "perspective" names sync writes under (never a registered perspective's). */
export const PENDING = 'whizbang.sync.pending';
export const CONFLICTS = 'whizbang.sync.conflicts';
export const CURSOR = 'whizbang.sync.cursor';
/** The one tenant key sync's rows live under (they name each commit's own tenant inside). */
export const SYNC_TENANT = 'whizbang.sync';
const CURSOR_ID = 'shared-log';

/** The command that made a local commit, kept to decide it again. */
export interface PendingCommand {
  /** The command's type. */
  readonly type: string;
  /** Its payload. */
  readonly data: unknown;
  /** Its id. */
  readonly messageId: string;
  /** Its chain's id. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
}

/** A local commit the shared log does not have yet. */
export interface PendingCommit {
  /** The commit's id, also its id on the shared log (a repeated push lands once). */
  readonly id: string;
  /** Local global position of its first event: commits are pushed in this order. */
  readonly seq: number;
  /** The stream the commit appended to. */
  readonly streamId: string;
  /** Its tenant. */
  readonly tenant: string;
  /** The stream version it was decided on: pushed expecting the shared stream there. */
  readonly decidedOn: number;
  /** What the app expected of the stream when it appended. */
  readonly expected: ExpectedVersion;
  /** How many events it holds (versions `decidedOn + 1` …). */
  readonly count: number;
  /** Its events' message ids, to recognise it in the shared log. */
  readonly eventIds: readonly string[];
  /** The command that made it; absent for events published directly. */
  readonly command?: PendingCommand;
  /** The events themselves when there is no command to decide them again. */
  readonly events?: readonly NewEvent[];
  /** `'rebasing'`: another writer's events displaced it; its command is decided again. */
  readonly state: 'pending' | 'rebasing';
}

/** A local commit that could not be kept: what the app is told, and what the conflicts lens lists. */
export interface SyncConflict {
  /** The pending commit's id. */
  readonly id: string;
  /** The stream of the commit that could not land. */
  readonly streamId: string;
  /** Its tenant. */
  readonly tenant: string;
  /** The command decided again, when there was one. */
  readonly command?: PendingCommand;
  /** The events that were not kept when there was no command. */
  readonly events?: readonly NewEvent[];
  /** The stream's version in the shared log when it was decided again. */
  readonly remoteVersion: number;
  /**
   * Why it could not be kept: `COMMAND_REFUSED` when its receptor, deciding again on the new
   * state, threw an error of its own (an overdraft, say); a Whizbang error's own code otherwise
   * (`VALIDATION_FAILED`, …); `CONCURRENCY_CONFLICT` for published events that expected a version.
   */
  readonly code: string;
  /** Why it was refused, for a person. */
  readonly message: string;
  /** When it was reported, epoch milliseconds. */
  readonly at: number;
}

/** The cursor: how far into the shared log this replica has taken events. */
export interface SyncCursor {
  /** Last position of the shared log written here. */
  readonly position: number;
  /** Set while perspectives must be rebuilt (events were replaced). */
  readonly rebuild: boolean;
  /** The event types replaced or put in their place: perspectives of other types stay (absent: all). */
  readonly rebuildTypes?: readonly string[];
}

export function row<M>(id: string, model: M, position = 0): StoredModel<M> {
  return { id, tenant: SYNC_TENANT, model, version: 0, position, updatedAt: Date.now() };
}

export function putCursor(tx: StoreWriter, cursor: SyncCursor): MaybePromise<void> {
  return tx.put(CURSOR, row(CURSOR_ID, cursor, cursor.position));
}

export function getCursor(tx: {
  get(p: string, t: string, id: string): MaybePromise<StoredModel | undefined>;
}): MaybePromise<StoredModel | undefined> {
  return tx.get(CURSOR, SYNC_TENANT, CURSOR_ID);
}

/** A recorded event as one to append again elsewhere: its identity and time kept. */
export function toNew(e: RecordedEvent): NewEvent {
  return {
    type: e.type,
    data: e.data,
    messageId: e.messageId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    timestamp: e.timestamp,
    ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
  };
}
