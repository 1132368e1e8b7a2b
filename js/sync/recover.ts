/**
 * The recovery of a stream that no longer matches the shared log (`REPLICA_DIVERGED`: an event
 * here that the log holds another at, or a pending commit not in the local ledger as recorded).
 * The replica heals itself, nothing is thrown away: the stream's local events are replaced by the
 * log's, its pending commits found in the log (by their event ids) are done, the others are
 * marked for a rebase (their commands decided again on the log's state, or reported as conflicts),
 * and the perspectives of the types involved are rebuilt.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { StoreWriter } from '../contracts/store.ts';
import { gateOf } from './driver.ts';
import { chainAll, pendingList, type SyncParts, settledBy } from './parts.ts';
import { PENDING, putCursor, row, SYNC_TENANT, type SyncCursor, toNew } from './records.ts';

/**
 * Rebuilds one stream from the shared log; returns the cursor, moved to `through` (the end of the
 * run that showed the divergence, when a pull did).
 */
export async function recover(
  parts: SyncParts,
  tenant: string,
  streamId: string,
  cursor: SyncCursor,
  through: number,
): Promise<SyncCursor> {
  const { remote, replica, driver } = parts;
  const theirs: RecordedEvent[] = await remote.readStream(streamId, { tenant });
  const here: RecordedEvent[] = await parts.ledger.readStream(streamId, { tenant });
  const landed = settledBy(parts, theirs);
  const mine = (await pendingList(parts.store)).filter(
    (p) => p.streamId === streamId && p.tenant === tenant,
  );
  const types = new Set([...here, ...theirs].map((e) => e.type));
  const before = cursor.rebuild ? cursor.rebuildTypes : [];
  const next: SyncCursor = {
    position: Math.max(cursor.position, through),
    rebuild: true,
    ...(before === undefined ? {} : { rebuildTypes: [...new Set([...before, ...types])] }),
  };
  const also = (tx: StoreWriter) =>
    chainAll(
      ...mine.map((p) =>
        landed(p)
          ? tx.delete(PENDING, SYNC_TENANT, p.id)
          : tx.put(PENDING, row(p.id, { ...p, state: 'rebasing' }, p.seq)),
      ),
      putCursor(tx, next),
    );
  // a replacement by nothing (a stream this replica may not see) runs no transaction work of its
  // own: the bookkeeping goes first, and a crash before the events go empties the stream again
  if (theirs.length === 0) await parts.store.transaction(also);
  await replica.replaceTail(
    parts.replicated,
    { streamId, tenant, events: theirs.map(toNew), expectedVersion: 'any', after: 0 },
    theirs.length === 0 ? () => undefined : (_, tx) => also(tx),
  );
  gateOf(driver).rewound(`${tenant}\u0000${streamId}`);
  await replica.rewound(tenant, streamId);
  return next;
}
