/**
 * The IndexedDB ledger. An append is one read-write transaction: it adds the events, checks the
 * expected version and runs the inline work (perspectives, outbox, inbox) in the same
 * transaction. IndexedDB runs read-write transactions over the same stores one after another,
 * across tabs too, so two tabs appending to one stream with the same expected version cannot
 * both win.
 *
 * Reading the head position and the stream's version costs requests as dear as the write; so the
 * ledger remembers the last head and versions it saw and, when they settle the append, adds at
 * once. Positions are the key and versions a unique index, and neither is ever removed
 * (compaction keeps the record), so the first add lands only if the log and the stream are still
 * where they were seen; if another tab moved them, the add fails, nothing is kept, and the append
 * runs again reading them first.
 */

import {
  type BatchAppend,
  checkExpectedVersion,
  checkStreamId,
  type EncodedPayload,
  encodePayload,
  invalidArgument,
  isThenable,
  MAX_PAYLOAD_BYTES,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  DEFAULT_TENANT,
  type ExpectedVersion,
  type Ledger,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  uuidv7,
} from '../../js/mod.ts';
import type { Notifier } from './broadcast.ts';
import { type Connection, WRITER_STORES } from './connection.ts';
import { eventReads, streamKey, streamRange } from './reads.ts';
import type { EventRecord } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import { writerOf } from './writer.ts';

/** Options of the IndexedDB ledger. */
export interface IndexedDbLedgerOptions {
  /** The largest JSON payload (data + metadata) an event may have, bytes of UTF-8 (default 1 MiB). */
  readonly maxPayloadBytes?: number;
}

/** The IndexedDB ledger answers asynchronously. */
export interface IndexedDbLedger extends Ledger {
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  streamVersion(streamId: string, options?: { readonly tenant?: string }): Promise<number>;
  headPosition(): Promise<number>;
  replaceTail(
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  appendBatch(appends: readonly BatchAppend[]): Promise<AppendResult[]>;
}

const EVENTS = [STORES.events];
const APPEND_WITH_WORK = [STORES.events, ...WRITER_STORES];
/** How many streams' versions the ledger remembers. */
const REMEMBERED = 10_000;

/**
 * The version to add after without reading it first, or undefined when it must be read: the
 * version seen last, when it satisfies `expected`, and 0 for a stream expected to be new.
 */
function assumed(expected: ExpectedVersion, seen: number | undefined): number | undefined {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) return undefined; // refused by the check
    return seen === expected || (seen === undefined && expected === 0) ? expected : undefined;
  }
  if (expected === 'any') return seen;
  if (expected === 'no_stream') return seen === undefined || seen === 0 ? 0 : undefined;
  if (expected === 'stream_exists') return seen !== undefined && seen > 0 ? seen : undefined;
  return undefined;
}

/** An event as stored in the events store, and as the append answers it. */
function toRecord(
  streamId: string,
  tenant: string,
  e: NewEvent,
  payload: EncodedPayload,
  version: number,
  position: number,
  now: number,
): { readonly record: EventRecord; readonly event: RecordedEvent } {
  const { data, metadata } = payload;
  const messageId = e.messageId ?? uuidv7(now);
  const record: EventRecord = {
    position,
    tenant,
    streamId,
    version,
    type: e.type,
    messageId,
    correlationId: e.correlationId ?? messageId,
    causationId: e.causationId ?? messageId,
    timestamp: e.timestamp ?? now,
    data,
    ...(metadata === null ? {} : { metadata }),
  };
  const event = {
    kind: 'event',
    type: e.type,
    data: e.data,
    streamId,
    version,
    position,
    tenant,
    messageId,
    correlationId: record.correlationId,
    causationId: record.causationId,
    timestamp: record.timestamp,
    metadata: e.metadata,
  } as RecordedEvent;
  return { record, event };
}

/** Creates the ledger over an open connection; `notifier` hears of every commit. */
export function indexedDbLedger(
  connection: Connection,
  notifier: Notifier,
  options: IndexedDbLedgerOptions = {},
): IndexedDbLedger {
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const { keys } = connection;

  // the last head and versions seen: never ahead of the database, as both only grow
  let head: number | undefined;
  const sawHead = (position: number): void => {
    if (head === undefined || position > head) head = position;
  };
  const seen = new Map<string, number>();
  const saw = (key: string, version: number): void => {
    const known = seen.get(key);
    if (known !== undefined && known >= version) return;
    if (known === undefined && seen.size >= REMEMBERED) seen.delete(seen.keys().next().value!);
    seen.set(key, version);
  };
  notifier.onRemote((position, streams) => {
    sawHead(position);
    // another tab moved them
    if (streams === null) seen.clear();
    else for (const key of streams) seen.delete(key);
  });

  /**
   * One attempt at an append, adding after version `from` of the stream and position `at` of the
   * log when they are given (as seen last), reading them first otherwise. `stale()` tells that
   * the attempt failed because what was seen was behind.
   */
  const attempt = (
    streamId: string,
    tenant: string,
    expected: ExpectedVersion,
    events: readonly NewEvent[],
    payloads: readonly EncodedPayload[],
    work: AppendOptions['inTransaction'],
    from: number | undefined,
    at: number | undefined,
    cut?: number,
  ): { readonly done: Promise<AppendResult>; readonly stale: () => boolean } => {
    const t = connection.write(work === undefined ? EVENTS : APPEND_WITH_WORK);
    const n = events.length;
    const guessed = n > 0 && (from !== undefined || at !== undefined);
    let result: AppendResult | undefined;
    let stale = false;

    const add = (version: number, position: number): void => {
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
              stale = error?.name === 'ConstraintError';
            },
          );
        }
      }
      result = { streamId, version: version + n, position: position + n, events: recorded };
      // the inline work runs once the events are known to land (never for a stale attempt)
      const run = (): void => {
        if (work === undefined) return;
        const done = work(recorded, writerOf(t));
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
    const readPosition = (): void => {
      t.call(
        (tx) => tx.objectStore(STORES.events).openKeyCursor(null, 'prev'),
        (cursor) => {
          position = cursor === null ? 0 : (cursor.primaryKey as number);
          decide();
        },
      );
    };
    if (cut !== undefined) {
      // sync replaces the stream's pending tail: its events after `cut` go, in this transaction
      version = cut;
      position = -1;
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
            readPosition();
          },
        );
      };
      if (cut === 0) cutAfter();
      else {
        // the stream must hold version `cut`: what follows it is replaced, nothing before
        t.call(
          (tx) =>
            tx.objectStore(STORES.events).index(INDEXES.stream).getKey([tenant, streamId, cut]),
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
    } else if (version < 0) {
      t.call(
        (tx) =>
          tx
            .objectStore(STORES.events)
            .index(INDEXES.stream)
            .openKeyCursor(streamRange(keys, tenant, streamId), 'prev'),
        (cursor) => {
          version = cursor === null ? 0 : ((cursor.key as [string, string, number])[2] ?? 0);
          decide();
        },
      );
    }
    if (position < 0 && cut === undefined) readPosition();
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
      if (cut !== undefined) {
        // the stream went back and the head may have: read both afresh next time
        seen.delete(key);
        head = undefined;
      }
      saw(key, appended.version);
      sawHead(appended.position);
      if (appended.events.length > 0) notifier.committed(appended.position, key);
      return appended;
    });
    return { done, stale: () => stale };
  };

  const append = (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> => {
    try {
      checkStreamId(streamId);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
      // encode before the transaction: bad input is refused with nothing begun
      const payloads = new Array<EncodedPayload>(events.length);
      for (let i = 0; i < events.length; i++)
        payloads[i] = encodePayload(streamId, events[i]!, maxPayload);
      const work = opts.inTransaction;
      const key = streamKey(tenant, streamId);
      const from = assumed(expected, seen.get(key));
      const first = attempt(streamId, tenant, expected, events, payloads, work, from, head);
      return first.done.catch((error: unknown) => {
        if (!first.stale()) throw error;
        seen.delete(key);
        head = undefined;
        return attempt(streamId, tenant, expected, events, payloads, work, undefined, undefined)
          .done;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const replaceTail = (
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> => {
    try {
      checkStreamId(streamId);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const cut = wholeOption('after', after, 0);
      const payloads = events.map((e) => encodePayload(streamId, e, maxPayload));
      return attempt(
        streamId,
        tenant,
        cut,
        events,
        payloads,
        opts.inTransaction,
        undefined,
        undefined,
        cut,
      ).done;
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * Several appends in one transaction, in order, all or none (offline sync writes a page of
   * pulled commits so). Each reads its stream's version and adds after the log's head; the inline
   * work of each runs before the next.
   */
  const appendBatch = (appends: readonly BatchAppend[]): Promise<AppendResult[]> => {
    try {
      const prepared = appends.map((a) => {
        checkStreamId(a.streamId);
        const opts = a.options ?? {};
        const tenant = opts.tenant ?? DEFAULT_TENANT;
        return {
          a,
          tenant,
          expected: opts.expectedVersion ?? ('any' as const),
          payloads: a.events.map((e) => encodePayload(a.streamId, e, maxPayload)),
          work: opts.inTransaction,
        };
      });
      const t = connection.write(APPEND_WITH_WORK);
      const results: AppendResult[] = [];
      const work = (async () => {
        const last = await t.request((tx) =>
          tx.objectStore(STORES.events).openKeyCursor(null, 'prev'),
        );
        let position = last === null ? 0 : (last.primaryKey as number);
        for (const p of prepared) {
          const { streamId } = p.a;
          const top = await t.request((tx) =>
            tx
              .objectStore(STORES.events)
              .index(INDEXES.stream)
              .openKeyCursor(streamRange(keys, p.tenant, streamId), 'prev'),
          );
          const version = top === null ? 0 : ((top.key as [string, string, number])[2] ?? 0);
          checkExpectedVersion(streamId, p.expected, version);
          const now = Date.now();
          const recorded = p.a.events.map((e, i): RecordedEvent => {
            const { record, event } = toRecord(
              streamId,
              p.tenant,
              e,
              p.payloads[i]!,
              version + i + 1,
              position + i + 1,
              now,
            );
            void t.request((tx) => tx.objectStore(STORES.events).add(record));
            return event;
          });
          position += recorded.length;
          if (recorded.length > 0 && p.work !== undefined) await p.work(recorded, writerOf(t));
          results.push({
            streamId,
            version: version + recorded.length,
            position,
            events: recorded,
          });
        }
      })();
      t.hold(work);
      return t.finish(() => {
        for (const r of results) {
          const key = streamKey(r.events[0]?.tenant ?? DEFAULT_TENANT, r.streamId);
          saw(key, r.version);
          sawHead(r.position);
          if (r.events.length > 0) notifier.committed(r.position, key);
        }
        return results;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const reads = eventReads(connection, { version: saw, head: sawHead });
  return {
    append,
    replaceTail,
    appendBatch,
    readStream: reads.readStream,
    readAll: reads.readAll,
    streamVersion: reads.streamVersion,
    headPosition: reads.headPosition,
    watch: (listener: () => void): (() => void) => notifier.watch(listener),
  };
}
