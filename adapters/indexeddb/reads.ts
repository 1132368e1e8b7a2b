/**
 * Reading the ledger: read-only transactions over the events store and its indexes. Compacted
 * events are skipped (a page of records that held some is followed by the next, so `limit`
 * counts live events). What a read learns of the head and of a stream's version is passed on to
 * the ledger's memory of them.
 */

import {
  checkLogRead,
  checkStreamRead,
  DEFAULT_LIMITS,
  type Limits,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  DEFAULT_TENANT,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../js/mod.ts';
import type { Connection } from './connection.ts';
import { type EventRecord, toRecordedAll } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import { read } from './transaction.ts';

/** An IndexedDB `count` may not exceed 2^32 - 1; beyond that, no limit is the same. */
const MAX_COUNT = 2 ** 32 - 1;

const count = (limit: number): number | undefined => (limit >= MAX_COUNT ? undefined : limit);

/** A stream's key in the ledger's memory of versions (and in the notices to other tabs). */
export const streamKey = (tenant: string, streamId: string): string =>
  `${tenant.length}:${tenant}${streamId}`;

/** Every key of a stream in the stream index sorts between these two. */
export function streamRange(
  keys: typeof IDBKeyRange,
  tenant: string,
  streamId: string,
): IDBKeyRange {
  return keys.bound([tenant, streamId], [tenant, streamId, []]);
}

/**
 * Reads a key range in pages of `limit` records until `limit` live events are found (compacted
 * records are skipped); `next` gives the range after the last record of a page.
 */
async function collect(
  source: IDBObjectStore | IDBIndex,
  range: IDBKeyRange,
  limit: number,
  next: (last: EventRecord) => IDBKeyRange | undefined,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let page: IDBKeyRange | undefined = range;
  while (page !== undefined) {
    const want = limit - events.length;
    const records = (await read(source.getAll(page, count(want)))) as EventRecord[];
    toRecordedAll(records, events);
    if (events.length >= limit || records.length < want || records.length === 0) break;
    page = next(records[records.length - 1]!);
  }
  return events;
}

/** What reads learn: a stream's version (by its key) and the head, as they were at the read. */
export interface Learned {
  version(key: string, version: number): void;
  head(position: number): void;
}

/** The ledger's reads. */
export interface EventReads {
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  streamVersion(streamId: string, options?: { readonly tenant?: string }): Promise<number>;
  headPosition(): Promise<number>;
}

/**
 * The reads over `connection`; `learned` hears what they found. `store` gives the events store
 * each read starts with (default: in a read-only transaction of its own); it is called once, at
 * the start of a read, before the read awaits anything.
 */
export function eventReads(
  connection: Connection,
  learned: Learned,
  limits: Limits = DEFAULT_LIMITS,
  store?: () => IDBObjectStore,
): EventReads {
  const { keys } = connection;
  const events =
    store ?? ((): IDBObjectStore => connection.read(STORES.events).objectStore(STORES.events));

  const readStream = async (
    streamId: string,
    opts: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> => {
    checkStreamRead(streamId, opts, limits);
    const from = Math.max(wholeOption('from', opts.from, 1), 1);
    const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    if (limit === 0 || from > to) return [];
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const index = events().index(INDEXES.stream);
    const found = await collect(
      index,
      keys.bound([tenant, streamId, from], [tenant, streamId, to]),
      limit,
      (last) =>
        last.version < to
          ? keys.bound([tenant, streamId, last.version + 1], [tenant, streamId, to])
          : undefined,
    );
    // read to the end of the stream: its version now, which only grows from here
    if (found.length > 0 && opts.to === undefined && found.length < limit)
      learned.version(streamKey(tenant, streamId), found[found.length - 1]!.version);
    return found;
  };

  /** Events of some types (and maybe a tenant), merged by position, at most `limit`. */
  const readTypes = async (
    types: readonly string[],
    from: number,
    to: number,
    limit: number,
    tenant: string | undefined,
  ): Promise<RecordedEvent[]> => {
    const index = events().index(INDEXES.type);
    const runs = await Promise.all(
      [...new Set(types)].map((type) => {
        const range = keys.bound([type, from], [type, to]);
        const after = (last: EventRecord): IDBKeyRange | undefined =>
          last.position < to ? keys.bound([type, last.position + 1], [type, to]) : undefined;
        if (tenant === undefined) return collect(index, range, limit, after);
        // the tenant is filtered as the cursor walks: each run needs at most `limit` matches
        return new Promise<RecordedEvent[]>((resolve, reject) => {
          const found: EventRecord[] = [];
          const request = index.openCursor(range);
          request.onsuccess = () => {
            const cursor = request.result;
            if (cursor === null) return resolve(toRecordedAll(found));
            const record = cursor.value as EventRecord;
            if (record.tenant === tenant && record.compacted !== true) found.push(record);
            if (found.length >= limit) return resolve(toRecordedAll(found));
            cursor.continue();
          };
          request.onerror = () => reject(request.error);
        });
      }),
    );
    const merged =
      runs.length === 1 ? runs[0]! : runs.flat().sort((a, b) => a.position - b.position);
    return merged.length > limit ? merged.slice(0, limit) : merged;
  };

  const readAll = async (opts: ReadAllOptions = {}): Promise<RecordedEvent[]> => {
    checkLogRead(opts, limits);
    const from = Math.max(wholeOption('from', opts.from, 1), 1);
    const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    const { tenant, types } = opts;
    if (limit === 0 || from > to || (types !== undefined && types.length === 0)) return [];
    if (types !== undefined) return readTypes(types, from, to, limit, tenant);
    const store = events();
    if (tenant === undefined) {
      return collect(store, keys.bound(from, to), limit, (last) =>
        last.position < to ? keys.bound(last.position + 1, to) : undefined,
      );
    }
    return collect(
      store.index(INDEXES.tenant),
      keys.bound([tenant, from], [tenant, to]),
      limit,
      (last) =>
        last.position < to ? keys.bound([tenant, last.position + 1], [tenant, to]) : undefined,
    );
  };

  return {
    readStream,
    readAll,
    async streamVersion(
      streamId: string,
      opts: { readonly tenant?: string } = {},
    ): Promise<number> {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const index = events().index(INDEXES.stream);
      const cursor = await read(index.openKeyCursor(streamRange(keys, tenant, streamId), 'prev'));
      const version = cursor === null ? 0 : ((cursor.key as [string, string, number])[2] ?? 0);
      learned.version(streamKey(tenant, streamId), version);
      return version;
    },
    async headPosition(): Promise<number> {
      const cursor = await read(events().openKeyCursor(null, 'prev'));
      const position = cursor === null ? 0 : (cursor.primaryKey as number);
      learned.head(position);
      return position;
    },
  };
}
