/**
 * Storage pressure: how much the database holds (the browser's estimate for the whole site, and
 * a count per store), and compaction that gives space back. Compaction only drops what the app
 * says it can do without: inbox entries older than a time, and the payloads of the start of a
 * stream's history that a snapshot covers and every checkpointed perspective has already
 * applied. A compacted event keeps its small record (position, stream, version, type, ids): no
 * position or version is ever free again, which appends rely on.
 */

import { checkStreamId, invalidArgument } from '../../js/kit/mod.ts';
import { DEFAULT_TENANT } from '../../js/mod.ts';
import type { Connection } from './connection.ts';
import type { EventRecord } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import { read } from './transaction.ts';

/** What the database holds, and what the browser says the site uses. */
export interface StorageReport {
  /** Bytes the whole site uses, by the browser's estimate; undefined where it gives none. */
  readonly usage: number | undefined;
  /** Bytes the site may use, by the browser's estimate; undefined where it gives none. */
  readonly quota: number | undefined;
  /** Records per store (compacted events included). */
  readonly counts: {
    readonly events: number;
    readonly perspectives: number;
    readonly checkpoints: number;
    readonly snapshots: number;
    readonly outbox: number;
    readonly inbox: number;
  };
}

/** A stream whose history before a version may go. */
export interface TruncateStream {
  /** The stream to cut. */
  readonly streamId: string;
  /** Its tenant (default `'default'`). */
  readonly tenant?: string;
  /** Events with a lower version may be dropped (only as far as a snapshot covers). */
  readonly before: number;
}

/** What {@link compact} may drop. */
export interface CompactOptions {
  /**
   * Forget inbox entries handled before this time (epoch ms). A message redelivered after its
   * entry is gone would be handled again: keep well beyond the transport's redelivery window.
   */
  readonly inboxBefore?: number;
  /**
   * Drop the payloads of the start of these streams' history. Only events that every snapshot
   * of the stream covers go (the lowest snapshot version or below), and none that a perspective
   * with a checkpoint has not yet applied. Reads skip them: reading such a stream starts after them, as loading from
   * its snapshot does; a rebuild or time travel over that stretch sees them no more.
   */
  readonly streams?: readonly TruncateStream[];
}

/** What {@link compact} dropped. */
export interface CompactReport {
  /** Inbox entries forgotten. */
  readonly inbox: number;
  /** Events whose payload was dropped. */
  readonly events: number;
}

interface StorageManagerLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
}

/** Counts every store and asks the browser for its estimate. */
export async function storageReport(connection: Connection): Promise<StorageReport> {
  const names = [
    STORES.events,
    STORES.perspectives,
    STORES.checkpoints,
    STORES.snapshots,
    STORES.outbox,
    STORES.inbox,
  ] as const;
  const tx = connection.read([...names]);
  const counts = await Promise.all(names.map((name) => read(tx.objectStore(name).count())));
  const manager = (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator
    ?.storage;
  let estimate: { usage?: number; quota?: number } = {};
  try {
    estimate = (await manager?.estimate()) ?? {};
  } catch {
    // some browsers refuse an estimate (private modes): the counts still tell
  }
  const [events, perspectives, checkpoints, snapshots, outbox, inbox] = counts as number[];
  return {
    usage: estimate.usage,
    quota: estimate.quota,
    counts: {
      events: events!,
      perspectives: perspectives!,
      checkpoints: checkpoints!,
      snapshots: snapshots!,
      outbox: outbox!,
      inbox: inbox!,
    },
  };
}

function checkTruncate(stream: TruncateStream): void {
  checkStreamId(stream.streamId);
  if (!Number.isSafeInteger(stream.before) || stream.before < 1) {
    throw invalidArgument(
      `"before" must be a stream version ≥ 1, got ${stream.before} (stream "${stream.streamId}").`,
    );
  }
}

/** Drops what `options` allows, in one transaction. */
export function compact(connection: Connection, options: CompactOptions): Promise<CompactReport> {
  const { inboxBefore } = options;
  const streams = options.streams ?? [];
  if (inboxBefore !== undefined && !Number.isFinite(inboxBefore))
    return Promise.reject(
      invalidArgument(`"inboxBefore" must be a time in ms, got ${inboxBefore}.`),
    );
  try {
    for (const stream of streams) checkTruncate(stream);
  } catch (error) {
    return Promise.reject(error);
  }
  const { keys } = connection;
  let inbox = 0;
  let events = 0;
  const stores = [STORES.inbox, STORES.events, STORES.snapshots, STORES.checkpoints];
  return connection
    .change(stores, (tx) => {
      if (inboxBefore !== undefined) {
        const cursor = tx
          .objectStore(STORES.inbox)
          .index(INDEXES.handledAt)
          .openCursor(keys.upperBound(inboxBefore, true));
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (c === null) return;
          c.delete();
          inbox++;
          c.continue();
        };
      }
      if (streams.length === 0) return;
      // the lowest checkpoint: events past it are still to be applied by some perspective
      const low = tx.objectStore(STORES.checkpoints).getAll();
      low.onsuccess = () => {
        const positions = (low.result as { position: number }[]).map((c) => c.position);
        const applied = positions.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...positions);
        for (const stream of streams) {
          const tenant = stream.tenant ?? DEFAULT_TENANT;
          const snaps = tx
            .objectStore(STORES.snapshots)
            .index(INDEXES.snapshotStream)
            .getAll(keys.only([tenant, stream.streamId]));
          snaps.onsuccess = () => {
            // what every snapshot of the stream covers: a state of each kind still loads
            const versions = (snaps.result as { version: number }[]).map((s) => s.version);
            const covered = versions.length === 0 ? 0 : Math.min(...versions);
            const index = tx.objectStore(STORES.events).index(INDEXES.stream);
            // below `before` and covered by a snapshot
            const through = Math.min(stream.before - 1, covered);
            if (through < 1) return;
            const walk = index.openCursor(
              keys.bound([tenant, stream.streamId, 1], [tenant, stream.streamId, through]),
            );
            walk.onsuccess = () => {
              const c = walk.result;
              if (c === null) return;
              const record = c.value as EventRecord;
              if (record.position > applied) return; // not yet applied everywhere
              if (record.compacted !== true) {
                const { data: _data, metadata: _metadata, ...kept } = record;
                c.update({ ...kept, compacted: true });
                events++;
              }
              c.continue();
            };
          };
        }
      };
    })
    .then(() => ({ inbox, events }));
}
