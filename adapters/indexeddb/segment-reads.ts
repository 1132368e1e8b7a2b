/**
 * The ledger's reads over sealed segments and recent records, in position order. Each read is
 * one read-only transaction over both, so a seal that commits meanwhile cannot hide or double an
 * event: the sealed part comes first (the segments the stream's entry names, or those a position
 * range overlaps, each checked by the core before it is read), then the recent records past it,
 * read as the per-record driver reads them.
 */

import { checkLogRead, checkStreamRead, type Limits, wholeOption } from '../../js/kit/mod.ts';
import {
  CorruptDataError,
  DEFAULT_TENANT,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../js/mod.ts';
import type { Connection } from './connection.ts';
import { type EventReads, eventReads, type Learned, streamKey } from './reads.ts';
import { STORES } from './schema.ts';
import { headLooksWrong } from './sealed-index.ts';
import type { IndexGate } from './segment-gate.ts';
import { typedSegments } from './segment-typed.ts';
import {
  entryKey,
  HEAD_KEY,
  isCompacted,
  NO_HEAD,
  type SealedHead,
  type SegmentCodec,
  type SegmentRecord,
  type StreamEntry,
} from './segments.ts';
import { read } from './transaction.ts';

/** Segments fetched at most per request of a log read. */
const PAGE = 16;
const ALL = [STORES.events, STORES.segments, STORES.sealed];

/** Thrown inside a read when a stream's entry names the wrong segments: rebuild, read again. */
export class StaleIndex extends Error {}

/** A request whose failure nobody may wait for (read ahead, then not wanted) is no unhandled one. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * The segments of a stream's entry that hold versions `from` to `to`, each with where its records
 * are (when the index keeps offsets: their counts give each segment's versions, the stream's
 * sealed versions being 1 to `version` back to back); all of them when it does not.
 */
function wantedSegments(
  entry: StreamEntry,
  from: number,
  to: number,
): [key: number, runs: readonly number[] | undefined][] {
  const { segs, at } = entry;
  if (at === undefined || at.length !== segs.length) return segs.map((key) => [key, undefined]);
  const out: [number, readonly number[]][] = [];
  let first = 1;
  for (let i = 0; i < segs.length; i++) {
    let count = 0;
    for (let r = 1; r < at[i]!.length; r += 2) count += at[i]![r]!;
    if (first + count > from && first <= to) out.push([segs[i]!, at[i]!]);
    first += count;
  }
  // counts that disagree with the version: read them all, and let the versions decide
  return first - 1 === entry.version ? out : segs.map((key, i) => [key, at[i]]);
}

/** The reads of a segment store; `rebuild` repairs the sealed part's index when it disagrees. */
export function segmentReads(
  connection: Connection,
  learned: Learned,
  limits: Limits,
  codec: SegmentCodec,
  gate: IndexGate,
): EventReads {
  const { keys } = connection;
  let current: IDBTransaction | undefined;
  const recent = eventReads(connection, learned, limits, () => current!.objectStore(STORES.events));

  const sealedStream = async (
    streamId: string,
    opts: ReadStreamOptions,
  ): Promise<RecordedEvent[]> => {
    const from = Math.max(wholeOption('from', opts.from, 1), 1);
    const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    if (limit === 0 || from > to) return [];
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const tx = connection.read(ALL);
    const sealedStore = tx.objectStore(STORES.sealed);
    const segments = tx.objectStore(STORES.segments);
    // the index's head is checked with the first read (one more request in the same round trip)
    const checking = gate.checked ? undefined : read(segments.openKeyCursor(null, 'prev'));
    const [head, entry, last] = (await Promise.all([
      read(sealedStore.get(HEAD_KEY)),
      read(sealedStore.get(entryKey(tenant, streamId))),
      checking,
      checking === undefined ? undefined : codec.loaded, // the import, meanwhile
    ])) as [SealedHead | undefined, StreamEntry | undefined, IDBCursor | null | undefined, unknown];
    if (checking !== undefined) {
      if (headLooksWrong(head, last === null ? undefined : (last!.key as number)))
        throw new StaleIndex();
      gate.checked = true;
    }
    codec.sync(head ?? NO_HEAD);
    const sealedTo = entry?.version ?? 0;
    const out: RecordedEvent[] = [];
    if (entry !== undefined && sealedTo >= from) {
      const upTo = Math.min(to, sealedTo);
      const wanted = wantedSegments(entry, from, upTo);
      const fetch = (i: number): Promise<SegmentRecord | undefined> =>
        i >= wanted.length || codec.cached(wanted[i]![0])
          ? Promise.resolve(undefined)
          : quiet(read(segments.get(wanted[i]![0])) as Promise<SegmentRecord>);
      let ahead = fetch(0);
      let next = from; // the version expected next: the index must name every one
      for (let i = 0; i < wanted.length && next <= upTo; i++) {
        const [key, runs] = wanted[i]!;
        const record = await ahead;
        ahead = fetch(i + 1);
        const events =
          (runs === undefined ? undefined : codec.picked(key, record, runs)) ??
          codec.streamEvents(key, record, tenant, streamId);
        for (const e of events) {
          if (
            e.streamId !== streamId ||
            e.tenant !== tenant ||
            e.version < next ||
            e.version > upTo
          )
            continue;
          if (e.version !== next) throw new StaleIndex();
          next++;
          if (!isCompacted(e)) out.push(e);
          if (out.length >= limit) return out;
        }
      }
      if (next <= upTo) throw new StaleIndex();
    }
    if (to <= sealedTo) return out;
    current = tx;
    const more = await recent.readStream(streamId, {
      ...opts,
      from: Math.max(from, sealedTo + 1),
      ...(opts.limit === undefined ? {} : { limit: limit - out.length }),
    });
    if (out.length === 0) return more;
    for (const e of more) out.push(e);
    return out;
  };

  const readAll = async (opts: ReadAllOptions = {}): Promise<RecordedEvent[]> => {
    checkLogRead(opts, limits);
    const from = Math.max(wholeOption('from', opts.from, 1), 1);
    const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    const { tenant, types } = opts;
    if (limit === 0 || from > to || (types !== undefined && types.length === 0)) return [];
    const typeSet = types === undefined ? undefined : new Set(types);
    if (!gate.checked) await gate.ready();
    const tx = connection.read(ALL);
    const head = ((await read(tx.objectStore(STORES.sealed).get(HEAD_KEY))) ??
      NO_HEAD) as SealedHead;
    codec.sync(head);
    const out: RecordedEvent[] = [];
    if (from <= head.through) {
      const upper = Math.min(to, head.through);
      /** Takes the events of one segment from `next` on; false once `limit` is reached. */
      let next = from;
      const take = (events: readonly RecordedEvent[], last: number): boolean => {
        for (const e of events) {
          if (e.position < next || e.position > upper) continue;
          if (tenant !== undefined && e.tenant !== tenant) continue;
          if (typeSet !== undefined && !typeSet.has(e.type)) continue;
          if (isCompacted(e)) continue;
          out.push(e);
          if (out.length >= limit) return false;
        }
        next = last + 1;
        return true;
      };
      // segments decoded lately answer without a request (the head's generation vouches for them)
      let cachedEnd = false;
      for (
        let hit = codec.covering(next);
        hit !== undefined && next <= upper;
        hit = codec.covering(next)
      ) {
        if (!take(hit, hit[hit.length - 1]!.position)) return out;
        cachedEnd = true;
      }
      if (next <= upper) {
        const segments = tx.objectStore(STORES.segments);
        // after a segment decoded lately the next one starts at `next` or later: no search
        const start = cachedEnd
          ? null
          : await read(segments.openKeyCursor(keys.upperBound(next), 'prev'));
        const low = start === null ? next : (start.key as number);
        let range: IDBKeyRange = keys.bound(low, upper);
        if (types !== undefined) {
          let done = false;
          // the sealed index lists each segment's types: only those holding a wanted one are read
          const sealedStore = tx.objectStore(STORES.sealed);
          await typedSegments(
            segments,
            sealedStore,
            keys,
            codec,
            head,
            types,
            low,
            upper,
            (events, last) => {
              done = !take(events, last);
              return !done;
            },
          );
          if (done) return out;
        } else
          for (;;) {
            const want = Math.min(PAGE, Math.ceil((limit - out.length) / codec.size) + 1);
            // keys and records in one round trip
            const [found, records] = (await Promise.all([
              read(segments.getAllKeys(range, want)),
              read(segments.getAll(range, want)),
            ])) as [number[], SegmentRecord[]];
            for (let i = 0; i < found.length; i++) {
              const key = found[i]!;
              const record = records[i];
              if (!take(codec.decode(key, record), record?.last ?? key)) return out;
            }
            const last = found[found.length - 1];
            if (found.length < want || last === undefined || last >= upper) break;
            range = keys.bound(last, upper, true);
          }
      }
    }
    if (to <= head.through) return out;
    current = tx;
    const more = await recent.readAll({
      ...opts,
      from: Math.max(from, head.through + 1),
      ...(opts.limit === undefined ? {} : { limit: limit - out.length }),
    });
    if (out.length === 0) return more;
    for (const e of more) out.push(e);
    return out;
  };

  return {
    async readStream(streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      checkStreamRead(streamId, opts, limits);
      try {
        return await sealedStream(streamId, opts);
      } catch (error) {
        if (!(error instanceof StaleIndex)) throw error;
        await gate.repair();
        try {
          return await sealedStream(streamId, opts);
        } catch (again) {
          if (!(again instanceof StaleIndex)) throw again;
          throw new CorruptDataError(
            'bad-length',
            0,
            `the segments of IndexedDB database "${connection.name}" miss events of stream "${streamId}" that their index names`,
          );
        }
      }
    },
    readAll,
    async streamVersion(
      streamId: string,
      opts: { readonly tenant?: string } = {},
    ): Promise<number> {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      if (!gate.checked) await gate.ready();
      const tx = connection.read(ALL);
      const entry = (await read(tx.objectStore(STORES.sealed).get(entryKey(tenant, streamId)))) as
        | StreamEntry
        | undefined;
      current = tx;
      const version = Math.max(entry?.version ?? 0, await recent.streamVersion(streamId, opts));
      learned.version(streamKey(tenant, streamId), version);
      return version;
    },
    async headPosition(): Promise<number> {
      if (!gate.checked) await gate.ready();
      const tx = connection.read(ALL);
      const head = ((await read(tx.objectStore(STORES.sealed).get(HEAD_KEY))) ??
        NO_HEAD) as SealedHead;
      current = tx;
      const position = Math.max(head.through, await recent.headPosition());
      learned.head(position);
      return position;
    },
  };
}
