/**
 * A log read by types over the sealed segments. The sealed index keeps, per event type, the keys
 * of the segments that hold it: when the wanted types are in few segments, those are fetched by
 * key and no other segment is listed. Otherwise (or on an index written before those lists) it
 * lists each segment's event types (written with the seal, rebuilt by `verify`), so a segment
 * that holds none of the wanted types is not fetched at all; one whose types the index does not
 * list (an index of an older version) is fetched. Each fetched segment is routed by the core
 * (segment-route.ts), which checks it whole before any of its events is returned.
 */

import type { RecordedEvent } from '../../js/mod.ts';
import { typedEvents } from './segment-route.ts';
import {
  type SealedHead,
  type SegmentCodec,
  type SegmentRecord,
  typeKey,
  typesKey,
} from './segments.ts';
import { read } from './transaction.ts';

/** Segments whose keys and types are read per round trip. */
const SPAN = 512;
/** Segments fetched at most per request. */
const PAGE = 16;
/** Requests of segments in flight ahead of the one read. */
const AHEAD = 3;

/** A typed read goes by the per-type lists when they name at most this share of the segments. */
const FEW = 1 / 4;

/**
 * Hands the events of `types` in the sealed segments from the one at key `low` through position
 * `upper` to `take`, segment by segment in position order, until it answers false.
 */
export async function typedSegments(
  segmentStore: IDBObjectStore,
  sealedStore: IDBObjectStore,
  keys: typeof IDBKeyRange,
  codec: SegmentCodec,
  head: SealedHead,
  types: readonly string[],
  low: number,
  upper: number,
  take: (events: readonly RecordedEvent[], last: number) => boolean,
): Promise<void> {
  if (head.byType === true) {
    const lists = (await Promise.all(
      types.map((type) => read(sealedStore.get(typeKey(type)))),
    )) as (number[] | undefined)[];
    const listed = [...new Set(lists.flatMap((list) => list ?? []))]
      .filter((key) => key >= low && key <= upper)
      .sort((a, b) => a - b);
    if (listed.length <= head.segments * FEW) {
      // a few requests of PAGE segments by key, each sent while the one before is read
      let ahead = fetchKeys(segmentStore, listed.slice(0, PAGE));
      for (let i = 0; i < listed.length; i += PAGE) {
        const records = await ahead;
        ahead = fetchKeys(segmentStore, listed.slice(i + PAGE, i + 2 * PAGE));
        for (let j = 0; j < records.length; j++) {
          const key = listed[i + j]!;
          const record = records[j];
          if (!take(typedEvents(codec, key, record, types), record?.last ?? key)) {
            ahead.catch(() => undefined); // not wanted any more: its failure is nobody's
            return;
          }
        }
      }
      return;
    }
  }
  const wanted = new Set(types);
  let open = false; // the range's lower end: the segment at `low` is read unless already done
  for (;;) {
    const typeRange = keys.bound(typesKey(low), typesKey(upper), open);
    const [found, typeKeys, typeNames] = (await Promise.all([
      read(segmentStore.getAllKeys(keys.bound(low, upper, open), SPAN)),
      read(sealedStore.getAllKeys(typeRange, SPAN)),
      read(sealedStore.getAll(typeRange, SPAN)),
    ])) as [number[], [string, number][], string[][]];
    const held = new Map(typeKeys.map(([, key], i) => [key, typeNames[i]!]));
    const wants = (key: number): boolean => {
      const names = held.get(key);
      return names === undefined || names.some((n) => wanted.has(n));
    };
    // runs of neighbouring wanted segments, each fetched by one getAll (at most PAGE segments)
    const runs: number[][] = [];
    for (let i = 0; i < found.length; ) {
      if (!wants(found[i]!)) {
        i++;
        continue;
      }
      const run: number[] = [];
      while (i < found.length && run.length < PAGE && wants(found[i]!)) run.push(found[i++]!);
      runs.push(run);
    }
    // AHEAD runs requested ahead of the one read: a read that reaches its limit early (a page
    // of a rebuild) does not fetch the rest of the listing
    const fetched = runs.map(() => undefined as Promise<SegmentRecord[]> | undefined);
    const ask = (r: number): void => {
      const run = runs[r];
      if (run !== undefined && fetched[r] === undefined) {
        const request = read(segmentStore.getAll(keys.bound(run[0]!, run[run.length - 1]!), PAGE));
        request.catch(() => undefined); // not wanted any more: its failure is nobody's
        fetched[r] = request as Promise<SegmentRecord[]>;
      }
    };
    for (let r = 0; r < runs.length; r++) {
      for (let k = r; k <= r + AHEAD; k++) ask(k);
      const run = runs[r]!;
      const records = await fetched[r]!;
      for (let j = 0; j < run.length; j++) {
        const key = run[j]!;
        const record = records[j];
        if (!take(typedEvents(codec, key, record, types), record?.last ?? key)) return;
      }
    }
    const last = found[found.length - 1];
    if (found.length < SPAN || last === undefined || last >= upper) return;
    low = last;
    open = true;
  }
}

/** The segment records at `keys` (a request each, sent together). */
function fetchKeys(store: IDBObjectStore, keys: readonly number[]): Promise<SegmentRecord[]> {
  return Promise.all(keys.map((key) => read(store.get(key)) as Promise<SegmentRecord>));
}
