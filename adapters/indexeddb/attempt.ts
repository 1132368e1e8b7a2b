/**
 * One attempt at an append: one read-write transaction that finds the stream's version and the
 * log's head (or takes them as seen last), checks the expected version, adds the events and runs
 * the inline work. When what was seen is taken as true, the first add is the test of it: a taken
 * position or version means another tab moved on, and the attempt is stale.
 */

import {
  checkExpectedVersion,
  type EncodedPayload,
  invalidArgument,
  isThenable,
} from '../../js/kit/mod.ts';
import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  NewEvent,
  RecordedEvent,
} from '../../js/mod.ts';
import { type Connection, WRITER_STORES } from './connection.ts';
import { streamKey, streamRange } from './reads.ts';
import { toRecord } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import type { Seen } from './seen.ts';
import type { SealedIndex } from './segment-open.ts';
import type { Transaction } from './transaction.ts';
import { writerOf } from './writer.ts';

const EVENTS = [STORES.events];
/** The stores of an append with inline work: the events and what the work writes. */
export const APPEND_WITH_WORK: readonly string[] = [STORES.events, ...WRITER_STORES];

/** What an attempt appends, and where. */
export interface AttemptPlan {
  readonly streamId: string;
  readonly tenant: string;
  readonly expected: ExpectedVersion;
  readonly events: readonly NewEvent[];
  /** The events' payloads, encoded before the transaction. */
  readonly payloads: readonly EncodedPayload[];
  readonly work: AppendOptions['inTransaction'];
  /** The stream's version to add after, as seen last; read first when undefined. */
  readonly from: number | undefined;
  /** The log's head to add after, as seen last; read first when undefined. */
  readonly at: number | undefined;
  /** replaceTail: the stream's events after this version go first. */
  readonly cut?: number;
  /** The driver seals events into segments: heads and versions count the sealed part too. */
  readonly segments?: SealedIndex | undefined;
}

/** An attempt under way: `stale()` tells that it failed because what was seen was behind. */
export interface Attempt {
  readonly done: Promise<AppendResult>;
  readonly stale: () => boolean;
}

/**
 * With segments: reads the record `key` of the sealed index in `t`, then `then` with the larger of
 * `found` and the number `of` takes from it; without, `then(found)` at once.
 */
function sealedAtLeast(
  t: Transaction,
  sealed: SealedIndex | undefined,
  key: (index: SealedIndex) => IDBValidKey,
  of: (index: SealedIndex, record: unknown) => number,
  found: number,
  then: (n: number) => void,
): void {
  if (sealed === undefined) {
    then(found);
    return;
  }
  t.call(
    (tx) => tx.objectStore(STORES.sealed).get(key(sealed)),
    (record) => then(Math.max(found, of(sealed, record))),
  );
}

/** With segments: the last sealed position in `t`, then `then` with the larger of it and `found`. */
function sealedHead(
  t: Transaction,
  sealed: SealedIndex | undefined,
  found: number,
  then: (n: number) => void,
): void {
  sealedAtLeast(
    t,
    sealed,
    (i) => i.headKey,
    (i, r) => i.through(r),
    found,
    then,
  );
}

/** With segments: the stream's last sealed version, then `then` with the larger of it and `found`. */
function sealedVersion(
  t: Transaction,
  sealed: SealedIndex | undefined,
  tenant: string,
  streamId: string,
  found: number,
  then: (n: number) => void,
): void {
  const key = (i: SealedIndex): IDBValidKey => i.entryKey(tenant, streamId);
  sealedAtLeast(t, sealed, key, (i, r) => i.version(r), found, then);
}

/** Reads the log's head position in `t` (sealed events too), then calls `then` with it. */
function readHead(
  t: Transaction,
  sealed: SealedIndex | undefined,
  then: (position: number) => void,
): void {
  t.call(
    (tx) => tx.objectStore(STORES.events).openKeyCursor(null, 'prev'),
    (cursor) => sealedHead(t, sealed, cursor === null ? 0 : (cursor.primaryKey as number), then),
  );
}

/** Reads the stream's version in `t` (sealed events too), then calls `then` with it. */
function readVersion(
  t: Transaction,
  keys: typeof IDBKeyRange,
  tenant: string,
  streamId: string,
  sealed: SealedIndex | undefined,
  then: (version: number) => void,
): void {
  t.call(
    (tx) =>
      tx
        .objectStore(STORES.events)
        .index(INDEXES.stream)
        .openKeyCursor(streamRange(keys, tenant, streamId), 'prev'),
    (cursor) =>
      sealedVersion(
        t,
        sealed,
        tenant,
        streamId,
        cursor === null ? 0 : ((cursor.key as [string, string, number])[2] ?? 0),
        then,
      ),
  );
}

/**
 * Deletes the stream's events after version `cut` in `t` (sync replaces the stream's pending
 * tail), then calls `then`; the stream must hold version `cut`, else `t` fails.
 */
function cutTail(
  t: Transaction,
  keys: typeof IDBKeyRange,
  tenant: string,
  streamId: string,
  cut: number,
  then: () => void,
  sealedHasCut: boolean,
): void {
  const cutAfter = (): void => {
    t.call(
      (tx) =>
        tx
          .objectStore(STORES.events)
          .index(INDEXES.stream)
          .getAllKeys(keys.bound([tenant, streamId, cut + 1], [tenant, streamId, []])),
      (found) => {
        for (const key of found as IDBValidKey[]) {
          t.call((tx) => tx.objectStore(STORES.events).delete(key));
        }
        then();
      },
    );
  };
  if (cut === 0 || sealedHasCut) {
    cutAfter();
    return;
  }
  // what follows version `cut` is replaced, nothing before
  t.call(
    (tx) => tx.objectStore(STORES.events).index(INDEXES.stream).getKey([tenant, streamId, cut]),
    (key) => {
      if (key === undefined) {
        t.fail(
          invalidArgument(
            `replaceTail after version ${cut}: stream "${streamId}" holds no version ${cut}.`,
          ),
        );
        return;
      }
      cutAfter();
    },
  );
}

/** Starts one attempt at `plan` over `connection`; `seen` learns what it committed. */
export function attempt(connection: Connection, seen: Seen, plan: AttemptPlan): Attempt {
  const { streamId, tenant, expected, events, payloads, work, from, at, cut } = plan;
  const sealed = plan.segments;
  const stores = work === undefined ? EVENTS : APPEND_WITH_WORK;
  const t = connection.write(sealed ? [...stores, STORES.sealed, STORES.segments] : stores);
  const n = events.length;
  const guessed = n > 0 && (from !== undefined || at !== undefined);
  let result: AppendResult | undefined;
  let stale = false;

  const add = (version: number, position: number): void => {
    if (guessed && sealed) {
      // sealed events have no record left to collide with: what was seen is checked here
      const behind = (n: number, seen: number): void => {
        if (n > seen && !stale) {
          stale = true;
          t.fail(new Error('the log moved on'));
        }
      };
      sealedHead(t, sealed, 0, (n) => behind(n, position));
      sealedVersion(t, sealed, tenant, streamId, 0, (n) => behind(n, version));
    }
    const now = Date.now();
    const store = t.store(STORES.events);
    const recorded = new Array<RecordedEvent>(n);
    for (let i = 0; i < n; i++) {
      const { record, event } = toRecord(
        streamId,
        tenant,
        events[i]!,
        payloads[i]!,
        version + i + 1,
        position + i + 1,
        now,
      );
      recorded[i] = event;
      if (i > 0 || !guessed) t.call(() => store.add(record));
      else {
        // the first add is the test of what was seen: a taken position or version means behind
        t.call(
          () => store.add(record),
          () => run(),
          (error) => {
            stale = stale || error?.name === 'ConstraintError';
          },
        );
      }
    }
    result = { streamId, version: version + n, position: position + n, events: recorded };
    // the inline work runs once the events are known to land (never for a stale attempt)
    const run = (): void => {
      if (work === undefined) return;
      const done = work(recorded, writerOf(t, connection.fields));
      if (isThenable(done)) t.hold(done);
    };
    if (!guessed) run();
  };

  let version = n === 0 || from === undefined ? -1 : from;
  let position = n === 0 || at === undefined ? -1 : at;
  const decide = (): void => {
    if (version < 0 || position < 0) return;
    checkExpectedVersion(streamId, expected, version);
    if (n === 0) result = { streamId, version, position, events: [] };
    else add(version, position);
  };
  const headThenDecide = (): void =>
    readHead(t, sealed, (head) => {
      position = head;
      decide();
    });
  if (cut !== undefined) {
    version = cut;
    position = -1;
    const { keys } = connection;
    if (sealed === undefined) cutTail(t, keys, tenant, streamId, cut, headThenDecide, false);
    else
      sealed.unsealAfter(t, keys, tenant, streamId, cut, (still) =>
        // version `cut` may still be sealed: then it is known to be there
        cutTail(t, keys, tenant, streamId, cut, headThenDecide, still >= cut),
      );
  } else if (version < 0) {
    readVersion(t, connection.keys, tenant, streamId, sealed, (found) => {
      version = found;
      decide();
    });
  }
  if (position < 0 && cut === undefined) headThenDecide();
  if (version >= 0 && position >= 0) {
    try {
      decide();
    } catch (error) {
      t.fail(error);
    }
  }
  const done = t.finish(() => {
    const appended = result!;
    const key = streamKey(tenant, streamId);
    // the stream went back and the head may have: read both afresh next time
    if (cut !== undefined) seen.forget(key);
    seen.committed(key, appended);
    return appended;
  });
  return { done, stale: () => stale };
}
