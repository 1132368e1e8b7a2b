/**
 * The sealed part's index (the `sealed` store: the head, per stream its sealed version and the
 * segments that hold it, per segment its event types, per event type the segments that hold it),
 * checked against the segments and
 * rebuilt from them. Every segment is checked by the core (CRC32C, lengths, hashes) as it is read;
 * a corrupt one stops the rebuild with a `CorruptDataError` and changes nothing. The rebuild is one read-write transaction: the index is
 * replaced whole or not at all.
 */

import type { Connection } from './connection.ts';
import { STORES } from './schema.ts';
import { streamRuns } from './segment-pick.ts';
import {
  ENTRY_RANGE,
  entryKey,
  HEAD_KEY,
  NO_HEAD,
  type SealedHead,
  type SegmentCodec,
  type SegmentRecord,
  type StreamEntry,
  TYPE_LISTS,
  TYPES_RANGE,
  typeKey,
  typesKey,
} from './segments.ts';

/** What {@link verifySegments} found. */
export interface SegmentReport {
  /** Segments checked. */
  readonly segments: number;
  /** Events they hold. */
  readonly events: number;
  /** The last sealed position. */
  readonly through: number;
  /** True when the index disagreed with the segments (or was missing) and was rebuilt. */
  readonly rebuilt: boolean;
}

const sameNumbers = (a: readonly number[] | undefined, b: readonly number[]): boolean =>
  a !== undefined && a.length === b.length && a.every((n, i) => n === b[i]);

const same = (a: StreamEntry | undefined, b: StreamEntry): boolean =>
  a !== undefined &&
  a.version === b.version &&
  sameNumbers(a.segs, b.segs) &&
  b.at!.every((runs, i) => sameNumbers(a.at?.[i], runs));

/** True when the stored types of each segment are those its events have (and no others are kept). */
const sameTypes = (
  keys: readonly [string, number][],
  values: readonly string[][],
  found: ReadonlyMap<number, readonly string[]>,
): boolean =>
  keys.length === found.size &&
  keys.every(([, key], i) => {
    const want = found.get(key);
    const got = values[i]!;
    return want !== undefined && want.length === got.length && want.every((t) => got.includes(t));
  });

/** True when the stored per-type segment lists are those the segments imply, and no others. */
const sameLists = (
  keys: readonly [string, string][],
  values: readonly number[][],
  found: ReadonlyMap<string, readonly number[]>,
): boolean =>
  keys.length === found.size &&
  keys.every(([, type], i) => {
    const want = found.get(type);
    const got = values[i]!;
    return want !== undefined && want.length === got.length && want.every((k, j) => k === got[j]);
  });

/**
 * Reads every segment (each checked by the core), builds the index they imply and compares it
 * with the stored one; rewrites the index when it differs. One read-write transaction.
 */
export function verifySegments(
  connection: Connection,
  codec: SegmentCodec,
): Promise<SegmentReport> {
  let report: SegmentReport | undefined;
  let failure: unknown;
  return connection
    .change([STORES.segments, STORES.sealed], (tx) => {
      const index = tx.objectStore(STORES.sealed);
      const segments = tx.objectStore(STORES.segments);
      const entries = new Map<
        string,
        { key: IDBValidKey; entry: { version: number; segs: number[]; at: number[][] } }
      >();
      let head: SealedHead = NO_HEAD;
      const typesOf = new Map<number, string[]>();
      const lists = new Map<string, number[]>();
      const cursor = segments.openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (c !== null) {
          const key = c.key as number;
          try {
            const events = codec.decode(key, c.value as SegmentRecord);
            const nameOf = (i: number): string => {
              const e = events[i]!;
              return `${e.tenant.length}:${e.tenant}${e.streamId}`;
            };
            // the bytes are sound now (decoded): their lengths can be walked
            const runs = streamRuns((c.value as SegmentRecord).bytes, events.length, nameOf);
            events.forEach((e, i) => {
              const name = nameOf(i);
              let found = entries.get(name);
              if (found === undefined) {
                const entry = { version: 0, segs: [], at: [] };
                found = { key: entryKey(e.tenant, e.streamId!), entry };
                entries.set(name, found);
              }
              found.entry.version = Math.max(found.entry.version, e.version);
              if (found.entry.segs.at(-1) !== key) {
                found.entry.segs.push(key);
                found.entry.at.push(runs.get(name)!);
              }
            });
            const types = [...new Set(events.map((e) => e.type))];
            typesOf.set(key, types);
            for (const type of types) {
              const list = lists.get(type);
              if (list === undefined) lists.set(type, [key]);
              else list.push(key);
            }
            head = {
              through: events[events.length - 1]!.position,
              segments: head.segments + 1,
              events: head.events + events.length,
            };
          } catch (error) {
            failure = error;
            tx.abort();
            return;
          }
          c.continue();
          return;
        }
        // every segment read: compare with the stored index
        const storedHead = index.get(HEAD_KEY);
        const storedKeys = index.getAllKeys(connection.keys.bound(...ENTRY_RANGE));
        const typeKeys = index.getAllKeys(connection.keys.bound(...TYPES_RANGE));
        const types = index.getAll(connection.keys.bound(...TYPES_RANGE));
        const listKeys = index.getAllKeys(connection.keys.bound(...TYPE_LISTS));
        const listValues = index.getAll(connection.keys.bound(...TYPE_LISTS));
        // the last request: when it succeeds, all have
        const stored = index.getAll(connection.keys.bound(...ENTRY_RANGE));
        stored.onsuccess = () => {
          const was = storedHead.result as SealedHead | undefined;
          const values = stored.result as StreamEntry[];
          const byName = new Map<string, StreamEntry>();
          (storedKeys.result as [string, string, string][]).forEach(([, t, s], i) => {
            byName.set(`${t.length}:${t}${s}`, values[i]!);
          });
          const agrees =
            (was ?? NO_HEAD).through === head.through &&
            (was ?? NO_HEAD).segments === head.segments &&
            (was ?? NO_HEAD).events === head.events &&
            byName.size === entries.size &&
            [...entries].every(([name, { entry }]) => same(byName.get(name), entry)) &&
            sameTypes(typeKeys.result as [string, number][], types.result as string[][], typesOf) &&
            (head.segments === 0 || was?.byType === true) &&
            sameLists(
              listKeys.result as [string, string][],
              listValues.result as number[][],
              lists,
            );
          report = {
            through: head.through,
            segments: head.segments,
            events: head.events,
            rebuilt: !agrees,
          };
          if (agrees) return;
          head = { ...head, generation: (was?.generation ?? 0) + 1, byType: true };
          index.clear();
          for (const { key, entry } of entries.values()) index.put(entry, key);
          for (const [key, names] of typesOf) index.put(names, typesKey(key));
          for (const [type, list] of lists) index.put(list, typeKey(type));
          index.put(head, HEAD_KEY);
        };
      };
    })
    .then(
      () => {
        codec.forget();
        return report!;
      },
      (error: unknown) => {
        throw failure ?? error;
      },
    );
}

/**
 * True when the index's head is missing or behind the segments (a lost or stale `sealed` store):
 * two reads (the head, and the last segment's key), not a walk of the segments. Damage to a
 * stream's entry is found by the read that uses it.
 */
export async function indexLooksWrong(connection: Connection): Promise<boolean> {
  const tx = connection.read([STORES.segments, STORES.sealed]);
  const [head, last] = await Promise.all([
    new Promise<SealedHead | undefined>((resolve, reject) => {
      const r = tx.objectStore(STORES.sealed).get(HEAD_KEY);
      r.onsuccess = () => resolve(r.result as SealedHead | undefined);
      r.onerror = () => reject(r.error);
    }),
    new Promise<number | undefined>((resolve, reject) => {
      const r = tx.objectStore(STORES.segments).openKeyCursor(null, 'prev');
      r.onsuccess = () => resolve(r.result === null ? undefined : (r.result.key as number));
      r.onerror = () => reject(r.error);
    }),
  ]);
  return headLooksWrong(head, last);
}

/** True when a head (`undefined`: missing) disagrees with the last segment's key. */
export function headLooksWrong(head: SealedHead | undefined, last: number | undefined): boolean {
  if (last === undefined) return head !== undefined && head.segments > 0;
  return head === undefined || last > head.through;
}
