/**
 * Sealing: the oldest recent events (one IndexedDB record each) become one segment of the binary
 * format (one record of the `segments` store). The segment's record, the removal of the events'
 * records and the index of the sealed part (the head, each stream's sealed version and segments)
 * are one read-write transaction: a crash or a reload before it commits leaves every event where
 * it was, after it every event in the segment — never both, never neither. Tabs that seal at once
 * take turns (IndexedDB runs read-write transactions over the same stores one after another) and
 * each starts from the head the last one left.
 */

import type { RecordedEvent } from '../../js/mod.ts';
import type { WireRecord } from '../../js/wasm/mod.ts';
import type { Connection } from './connection.ts';
import type { EventRecord } from './records.ts';
import { STORES } from './schema.ts';
import type { IndexGate } from './segment-gate.ts';
import { streamRuns } from './segment-pick.ts';
import {
  COMPACTED,
  entryKey,
  HEAD_KEY,
  NO_HEAD,
  type SealedHead,
  type SegmentCodec,
  type SegmentRecord,
  type StreamEntry,
  typeKey,
  typesKey,
} from './segments.ts';

/** The stores a seal writes. */
export const SEAL_STORES: readonly string[] = [STORES.events, STORES.segments, STORES.sealed];

/** An event's record as the binary format carries it (a compacted one keeps no payload). */
function toWire(r: EventRecord): WireRecord {
  const compacted = r.compacted === true;
  return {
    kind: 'event',
    type: r.type,
    data: compacted ? undefined : JSON.parse(r.data!),
    streamId: r.streamId,
    version: r.version,
    position: r.position,
    tenant: r.tenant,
    messageId: r.messageId,
    correlationId: r.correlationId,
    causationId: r.causationId,
    timestamp: r.timestamp,
    metadata: compacted
      ? { [COMPACTED]: true }
      : r.metadata === undefined
        ? undefined
        : JSON.parse(r.metadata),
  };
}

/**
 * Seals the oldest recent events into one segment, if there are at least `min` of them (at most
 * `codec.size`), in one transaction; resolves to how many were sealed.
 */
export function sealOnce(
  connection: Connection,
  codec: SegmentCodec,
  min: number,
): Promise<number> {
  let sealed = 0;
  const { keys } = connection;
  return connection
    .change(SEAL_STORES, (tx) => {
      const index = tx.objectStore(STORES.sealed);
      const headRequest = index.get(HEAD_KEY);
      headRequest.onsuccess = () => {
        const head = (headRequest.result as SealedHead | undefined) ?? NO_HEAD;
        const events = tx.objectStore(STORES.events);
        const take = events.getAll(keys.lowerBound(head.through, true), codec.size);
        take.onsuccess = () => {
          const records = take.result as EventRecord[];
          if (records.length === 0 || records.length < min) return;
          const bytes = codec.encode(records.map(toWire), { core: codec.core });
          const first = records[0]!.position;
          const last = records[records.length - 1]!.position;
          const segment: SegmentRecord = { first, last, count: records.length, bytes };
          tx.objectStore(STORES.segments).add(segment, first);
          events.delete(keys.bound(first, last));
          // the segment's event types: a typed read skips segments that hold none it wants
          const types = [...new Set(records.map((r) => r.type))];
          index.put(types, typesKey(first));
          // and each type's segments, kept from an empty index on (else `verify` writes them)
          const byType = head.segments === 0 || head.byType === true;
          if (byType)
            for (const type of types) {
              const list = index.get(typeKey(type));
              list.onsuccess = () =>
                index.put([...((list.result as number[] | undefined) ?? []), first], typeKey(type));
            }
          // each stream's last version in the segment, and where its records are
          const streams = new Map<string, { tenant: string; streamId: string; version: number }>();
          const nameOf = (r: EventRecord): string => `${r.tenant.length}:${r.tenant}${r.streamId}`;
          for (const r of records)
            streams.set(nameOf(r), { tenant: r.tenant, streamId: r.streamId, version: r.version });
          const runs = streamRuns(bytes, records.length, (i) => nameOf(records[i]!));
          for (const [name, { tenant, streamId, version }] of streams) {
            const key = entryKey(tenant, streamId);
            const known = index.get(key);
            known.onsuccess = () => {
              const entry = known.result as StreamEntry | undefined;
              // an entry written without offsets gets none (`verify` writes them all)
              const at =
                entry === undefined || entry.at?.length === entry.segs.length
                  ? { at: [...(entry?.at ?? []), runs.get(name)!] }
                  : {};
              const next: StreamEntry = {
                version: Math.max(version, entry?.version ?? 0),
                segs: [...(entry?.segs ?? []), first],
                ...at,
              };
              index.put(next, key);
            };
          }
          const next: SealedHead = {
            through: last,
            segments: head.segments + 1,
            events: head.events + records.length,
            ...(head.generation === undefined ? {} : { generation: head.generation }),
            ...(byType ? { byType } : {}),
          };
          index.put(next, HEAD_KEY);
          sealed = records.length;
        };
      };
    })
    .then(() => sealed);
}

/** Seals in the background after appends, one segment at a time. */
export class Sealer {
  readonly #connection: Connection;
  readonly #codec: SegmentCodec;
  readonly #gate: IndexGate | undefined;
  #recent = 0;
  #running: Promise<number> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** The last background seal's failure, if it failed (it is tried again after the next appends). */
  lastError: unknown;

  /** With `gate`, the first seal waits for the index's check (a seal on a lost index would skew it). */
  constructor(connection: Connection, codec: SegmentCodec, gate?: IndexGate) {
    this.#connection = connection;
    this.#codec = codec;
    this.#gate = gate;
  }

  /** `events` were appended: seal once a segment's worth is there. */
  committed(events: readonly RecordedEvent[]): void {
    this.#recent += events.length;
    if (this.#codec.background && this.#recent >= this.#codec.size) this.kick();
  }

  /** Seals what is there, soon (not within the caller's task). */
  kick(): void {
    if (this.#stopped || this.#timer !== undefined || this.#running !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.seal(false).catch((error: unknown) => {
        this.lastError = error;
      });
    }, 0);
  }

  /**
   * Seals every full segment's worth of recent events (and, with `all`, the rest too); resolves
   * to how many events were sealed.
   */
  seal(all: boolean): Promise<number> {
    const previous = this.#running ?? Promise.resolve(0);
    const run = previous
      .catch(() => 0)
      .then(async () => {
        let total = 0;
        this.#recent = 0;
        await this.#gate?.ready();
        for (;;) {
          if (this.#stopped) return total;
          const n = await sealOnce(this.#connection, this.#codec, all ? 1 : this.#codec.size);
          total += n;
          if (n === 0 || n < this.#codec.size) return total;
        }
      });
    this.#running = run;
    const clear = (): void => {
      if (this.#running === run) this.#running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** No more sealing (the connection closes). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
