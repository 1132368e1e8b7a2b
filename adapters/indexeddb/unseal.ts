/**
 * Unsealing, for `replaceTail` (offline sync's rebase) on a stream whose pending tail was sealed:
 * in the replacing transaction, the segment holding the first replaced event and every later one
 * go back to one record per event, and the index forgets them. The sealer seals them again later.
 * All of it commits with the replacement, or none of it.
 */

import type { RecordedEvent } from '../../js/mod.ts';
import type { EventRecord } from './records.ts';
import { STORES } from './schema.ts';
import {
  entryKey,
  HEAD_KEY,
  isCompacted,
  NO_HEAD,
  type SealedHead,
  type SegmentCodec,
  type SegmentRecord,
  type StreamEntry,
  TYPES_RANGE,
  typeKey,
  typesKey,
} from './segments.ts';
import type { Transaction } from './transaction.ts';

/** A sealed event back as its record. */
function toEventRecord(e: RecordedEvent): EventRecord {
  const base = {
    position: e.position,
    tenant: e.tenant,
    streamId: e.streamId,
    version: e.version,
    type: e.type,
    messageId: e.messageId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    timestamp: e.timestamp,
  };
  if (isCompacted(e)) return { ...base, compacted: true };
  return {
    ...base,
    data: JSON.stringify(e.data),
    ...(e.metadata === undefined ? {} : { metadata: JSON.stringify(e.metadata) }),
  };
}

/**
 * Makes the stream's events after version `cut` recent again (with every event sealed after the
 * first of them), in `t`; then calls `then` with the stream's version still sealed.
 */
export function unsealAfter(
  t: Transaction,
  keys: typeof IDBKeyRange,
  codec: SegmentCodec,
  tenant: string,
  streamId: string,
  cut: number,
  then: (stillSealed: number) => void,
): void {
  t.call(
    (tx) => tx.objectStore(STORES.sealed).get(entryKey(tenant, streamId)),
    (found) => {
      const entry = found as StreamEntry | undefined;
      if (entry === undefined || entry.version <= cut) {
        then(entry?.version ?? 0);
        return;
      }
      // the segments from the one holding version cut + 1, found from the newest back
      const segs = [...entry.segs];
      const decoded = new Map<number, readonly RecordedEvent[]>();
      const back = (i: number): void => {
        const key = segs[i]!;
        t.call(
          (tx) => tx.objectStore(STORES.segments).get(key),
          (record) => {
            const events = codec.decode(key, record as SegmentRecord);
            decoded.set(key, events);
            const low = events.find((e) => e.tenant === tenant && e.streamId === streamId);
            if (i > 0 && low !== undefined && low.version > cut + 1) back(i - 1);
            else unsealFrom(key);
          },
        );
      };
      const unsealFrom = (start: number): void => {
        t.call(
          (tx) => tx.objectStore(STORES.segments).getAll(keys.lowerBound(start)),
          (records) => {
            const all = (records as SegmentRecord[]).map((r) => codec.decode(r.first, r));
            codec.forget();
            const events = t.store(STORES.events);
            const index = t.store(STORES.sealed);
            t.store(STORES.segments).delete(keys.lowerBound(start));
            index.delete(keys.bound(typesKey(start), TYPES_RANGE[1]));
            const firstVersions = new Map<string, { key: IDBValidKey; version: number }>();
            let count = 0;
            const types = new Set<string>();
            for (const segment of all) {
              for (const e of segment) {
                events.put(toEventRecord(e));
                types.add(e.type);
                const name = `${e.tenant.length}:${e.tenant}${e.streamId}`;
                if (!firstVersions.has(name))
                  firstVersions.set(name, {
                    key: entryKey(e.tenant, e.streamId),
                    version: e.version,
                  });
              }
              count += segment.length;
            }
            let stillSealed = 0;
            for (const { key, version } of firstVersions.values()) {
              t.call(
                (tx) => tx.objectStore(STORES.sealed).get(key),
                (value) => {
                  const was = value as StreamEntry;
                  const segsLeft = was.segs.filter((s) => s < start);
                  if (version <= 1 || segsLeft.length === 0) index.delete(key);
                  else
                    index.put(
                      {
                        version: version - 1,
                        segs: segsLeft,
                        ...(was.at === undefined ? {} : { at: was.at.slice(0, segsLeft.length) }),
                      },
                      key,
                    );
                },
              );
              const [, t0, s0] = key as [string, string, string];
              if (t0 === tenant && s0 === streamId) stillSealed = version - 1;
            }
            // each type's segments forget the unsealed ones
            for (const type of types)
              t.call(
                (tx) => tx.objectStore(STORES.sealed).get(typeKey(type)),
                (value) => {
                  if (value === undefined) return;
                  const left = (value as number[]).filter((s) => s < start);
                  if (left.length === 0) index.delete(typeKey(type));
                  else index.put(left, typeKey(type));
                },
              );
            t.call(
              (tx) => tx.objectStore(STORES.sealed).get(HEAD_KEY),
              (value) => {
                const head = (value as SealedHead | undefined) ?? NO_HEAD;
                const next: SealedHead = {
                  through: start - 1,
                  segments: head.segments - all.length,
                  events: head.events - count,
                  generation: (head.generation ?? 0) + 1,
                  ...(head.byType === true ? { byType: true } : {}),
                };
                index.put(next, HEAD_KEY);
                then(stillSealed);
              },
            );
          },
        );
      };
      back(segs.length - 1);
    },
  );
}
