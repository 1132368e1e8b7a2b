/**
 * The IndexedDB ledger. An append is one read-write transaction: it reads the head position and
 * the stream's version, checks the expected version, adds the events and runs the inline work
 * (perspectives, outbox, inbox) in the same transaction. IndexedDB runs read-write transactions
 * over the same stores one after another, across tabs too, so two tabs appending to one stream
 * with the same expected version cannot both win. Reads are read-only transactions over indexes.
 */
import { DEFAULT_TENANT } from '../../js/envelope.ts';
import { invalidArgument } from '../../js/errors.ts';
import { uuidv7 } from '../../js/ids.ts';
import {
  type AppendOptions,
  type AppendResult,
  checkExpectedVersion,
  checkStreamId,
  type Ledger,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../js/ledger.ts';
import { isThenable } from '../../js/maybe.ts';
import { type EncodedPayload, encodePayload, MAX_PAYLOAD_BYTES } from '../../js/payload.ts';
import type { Notifier } from './broadcast.ts';
import { type Connection, WRITER_STORES } from './connection.ts';
import { type EventRecord, toRecordedAll } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import { read } from './transaction.ts';
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
}

const EVENTS = [STORES.events];
const APPEND_WITH_WORK = [STORES.events, ...WRITER_STORES];
/** An IndexedDB `count` may not exceed 2^32 - 1; beyond that, no limit is the same. */
const MAX_COUNT = 2 ** 32 - 1;

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  return value;
}

const count = (limit: number): number | undefined => (limit >= MAX_COUNT ? undefined : limit);

/** Creates the ledger over an open connection; `notifier` hears of every commit. */
export function indexedDbLedger(
  connection: Connection,
  notifier: Notifier,
  options: IndexedDbLedgerOptions = {},
): IndexedDbLedger {
  const maxPayload = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const { keys } = connection;
  // every key of a stream sorts between [tenant, streamId] and [tenant, streamId, []]
  const streamKeys = (tenant: string, streamId: string): IDBKeyRange =>
    keys.bound([tenant, streamId], [tenant, streamId, []]);

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
      const t = connection.write(work === undefined ? EVENTS : APPEND_WITH_WORK);
      let head = -1;
      let version = -1;
      let result: AppendResult | undefined;
      // both reads go out at once; whichever answers last writes
      const decide = (): void => {
        if (head < 0 || version < 0) return;
        checkExpectedVersion(streamId, expected, version);
        if (events.length === 0) {
          result = { streamId, version, position: head, events: [] };
          return;
        }
        const now = Date.now();
        const store = t.store(STORES.events);
        const recorded = new Array<RecordedEvent>(events.length);
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          const { data, metadata } = payloads[i]!;
          const messageId = e.messageId ?? uuidv7(now);
          const record: EventRecord = {
            position: head + i + 1,
            tenant,
            streamId,
            version: version + i + 1,
            type: e.type,
            messageId,
            correlationId: e.correlationId ?? messageId,
            causationId: e.causationId ?? messageId,
            timestamp: e.timestamp ?? now,
            data,
            ...(metadata === null ? {} : { metadata }),
          };
          t.call(() => store.add(record));
          recorded[i] = {
            kind: 'event',
            type: e.type,
            data: e.data,
            streamId,
            version: record.version,
            position: record.position,
            tenant,
            messageId,
            correlationId: record.correlationId,
            causationId: record.causationId,
            timestamp: record.timestamp,
            metadata: e.metadata,
          } as RecordedEvent;
        }
        result = {
          streamId,
          version: version + events.length,
          position: head + events.length,
          events: recorded,
        };
        if (work === undefined) return;
        const done = work(recorded, writerOf(t));
        if (isThenable(done)) t.hold(done);
      };
      t.call(
        (tx) => tx.objectStore(STORES.events).openKeyCursor(null, 'prev'),
        (cursor) => {
          head = cursor === null ? 0 : (cursor.primaryKey as number);
          decide();
        },
      );
      t.call(
        (tx) =>
          tx
            .objectStore(STORES.events)
            .index(INDEXES.stream)
            .openKeyCursor(streamKeys(tenant, streamId), 'prev'),
        (cursor) => {
          version = cursor === null ? 0 : ((cursor.key as [string, string, number])[2] ?? 0);
          decide();
        },
      );
      return t.finish(() => {
        const done = result!;
        if (done.events.length > 0) notifier.committed(done.position);
        return done;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const readStream = async (
    streamId: string,
    opts: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> => {
    checkStreamId(streamId);
    const from = Math.max(whole('from', opts.from, 1), 1);
    const to = whole('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = whole('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    if (limit === 0 || from > to) return [];
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const index = connection.read(STORES.events).objectStore(STORES.events).index(INDEXES.stream);
    const range = keys.bound([tenant, streamId, from], [tenant, streamId, to]);
    return toRecordedAll(await read(index.getAll(range, count(limit))));
  };

  /** Events of some types (and maybe a tenant), merged by position, at most `limit`. */
  const readTypes = async (
    types: readonly string[],
    from: number,
    to: number,
    limit: number,
    tenant: string | undefined,
  ): Promise<RecordedEvent[]> => {
    const index = connection.read(STORES.events).objectStore(STORES.events).index(INDEXES.type);
    const runs = await Promise.all(
      [...new Set(types)].map((type) => {
        const range = keys.bound([type, from], [type, to]);
        if (tenant === undefined) return read(index.getAll(range, count(limit)));
        // the tenant is filtered as the cursor walks: each run needs at most `limit` matches
        return new Promise<EventRecord[]>((resolve, reject) => {
          const found: EventRecord[] = [];
          const request = index.openCursor(range);
          request.onsuccess = () => {
            const cursor = request.result;
            if (cursor === null) return resolve(found);
            const record = cursor.value as EventRecord;
            if (record.tenant === tenant) found.push(record);
            if (found.length >= limit) return resolve(found);
            cursor.continue();
          };
          request.onerror = () => reject(request.error);
        });
      }),
    );
    const merged =
      runs.length === 1 ? runs[0]! : runs.flat().sort((a, b) => a.position - b.position);
    return toRecordedAll(merged.length > limit ? merged.slice(0, limit) : merged);
  };

  const readAll = async (opts: ReadAllOptions = {}): Promise<RecordedEvent[]> => {
    const from = Math.max(whole('from', opts.from, 1), 1);
    const to = whole('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = whole('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    const { tenant, types } = opts;
    if (limit === 0 || from > to || (types !== undefined && types.length === 0)) return [];
    if (types !== undefined) return readTypes(types, from, to, limit, tenant);
    const events = connection.read(STORES.events).objectStore(STORES.events);
    const request =
      tenant === undefined
        ? events.getAll(keys.bound(from, to), count(limit))
        : events
            .index(INDEXES.tenant)
            .getAll(keys.bound([tenant, from], [tenant, to]), count(limit));
    return toRecordedAll(await read(request));
  };

  return {
    append,
    readStream,
    readAll,
    async streamVersion(
      streamId: string,
      opts: { readonly tenant?: string } = {},
    ): Promise<number> {
      checkStreamId(streamId);
      const index = connection.read(STORES.events).objectStore(STORES.events).index(INDEXES.stream);
      const cursor = await read(
        index.openKeyCursor(streamKeys(opts.tenant ?? DEFAULT_TENANT, streamId), 'prev'),
      );
      return cursor === null ? 0 : ((cursor.key as [string, string, number])[2] ?? 0);
    },
    async headPosition(): Promise<number> {
      const events = connection.read(STORES.events).objectStore(STORES.events);
      const cursor = await read(events.openKeyCursor(null, 'prev'));
      return cursor === null ? 0 : (cursor.primaryKey as number);
    },
    watch: (listener: () => void): (() => void) => notifier.watch(listener),
  };
}
