/**
 * Several appends in one transaction, in order, all or none (offline sync writes a page of
 * pulled commits so). Each reads its stream's version and adds after the log's head; the inline
 * work of each runs before the next.
 */

import {
  type BatchAppend,
  checkAppend,
  checkEventCount,
  checkExpectedVersion,
  encodePayload,
} from '../../js/kit/mod.ts';
import { type AppendResult, DEFAULT_TENANT, type RecordedEvent } from '../../js/mod.ts';
import type { Appending } from './append.ts';
import { APPEND_WITH_WORK } from './attempt.ts';
import { streamKey, streamRange } from './reads.ts';
import { toRecord } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import type { SealedIndex } from './segment-open.ts';
import { writerOf } from './writer.ts';

/** Appends each of `appends` in one transaction; settles once all committed. */
export function appendBatch(
  ctx: Appending,
  appends: readonly BatchAppend[],
): Promise<AppendResult[]> {
  const { connection, seen, limits } = ctx;
  const { keys } = connection;
  try {
    checkEventCount(
      appends.reduce((n: number, a: BatchAppend) => n + (a?.events?.length ?? 0), 0),
      limits,
    );
    const prepared = appends.map((a) => {
      checkAppend(a.streamId, a.events, a.options, limits);
      const opts = a.options ?? {};
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      return {
        a,
        tenant,
        expected: opts.expectedVersion ?? ('any' as const),
        payloads: a.events.map((e) => encodePayload(a.streamId, e, limits)),
        work: opts.inTransaction,
      };
    });
    const sealed = ctx.segments;
    const t = connection.write(sealed ? [...APPEND_WITH_WORK, STORES.sealed] : APPEND_WITH_WORK);
    /** With segments: the larger of `found` and what `of` reads in the sealed index's record `key`. */
    const withSealed = async (
      found: number,
      key: (index: SealedIndex) => IDBValidKey,
      of: (index: SealedIndex, record: unknown) => number,
    ): Promise<number> => {
      if (sealed === undefined) return found;
      const got = await t.request((tx) => tx.objectStore(STORES.sealed).get(key(sealed)));
      return Math.max(found, of(sealed, got));
    };
    const results: AppendResult[] = [];
    const tenants: string[] = [];
    const work = (async () => {
      const last = await t.request((tx) =>
        tx.objectStore(STORES.events).openKeyCursor(null, 'prev'),
      );
      let position = await withSealed(
        last === null ? 0 : (last.primaryKey as number),
        (i) => i.headKey,
        (i, r) => i.through(r),
      );
      for (const p of prepared) {
        const { streamId } = p.a;
        const top = await t.request((tx) =>
          tx
            .objectStore(STORES.events)
            .index(INDEXES.stream)
            .openKeyCursor(streamRange(keys, p.tenant, streamId), 'prev'),
        );
        const version = await withSealed(
          top === null ? 0 : ((top.key as [string, string, number])[2] ?? 0),
          (i) => i.entryKey(p.tenant, streamId),
          (i, r) => i.version(r),
        );
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
        if (recorded.length > 0 && p.work !== undefined)
          await p.work(recorded, writerOf(t, connection.fields));
        tenants.push(p.tenant);
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
      for (const [i, r] of results.entries()) seen.committed(streamKey(tenants[i]!, r.streamId), r);
      return results;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
