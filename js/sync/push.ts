/**
 * The push of a sync round: pending commits in local order, a window of them in flight at once,
 * each expecting its stream in the shared log at the version it was decided on, under its own id
 * as the commit id (a repeated push lands once).
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { StoreWriter } from '../contracts/store.ts';
import { isConcurrencyError } from '../util/errors.ts';
import { type Counts, corrupt, pendingList, type SyncParts } from './parts.ts';
import {
  getCursor,
  PENDING,
  type PendingCommit,
  putCursor,
  SYNC_TENANT,
  type SyncCursor,
  toNew,
} from './records.ts';

/** The window's events, read at once: a commit's events hold consecutive local positions. */
async function eventsOf(
  parts: SyncParts,
  batch: readonly PendingCommit[],
): Promise<Map<number, RecordedEvent>> {
  const first = batch[0]!.seq;
  let last = first;
  for (const c of batch) last = Math.max(last, c.seq + c.count - 1);
  const here = new Map<number, RecordedEvent>();
  for (const e of await parts.ledger.readAll({ from: first, to: last })) here.set(e.position, e);
  return here;
}

function send(parts: SyncParts, commit: PendingCommit, here: Map<number, RecordedEvent>) {
  const events: RecordedEvent[] = [];
  for (let k = 0; k < commit.count; k++) {
    const e = here.get(commit.seq + k);
    if (
      e === undefined ||
      e.messageId !== commit.eventIds[k] ||
      e.streamId !== commit.streamId ||
      e.tenant !== commit.tenant
    ) {
      return Promise.reject(
        corrupt(
          `Pending commit ${commit.id} of stream "${commit.streamId}" is not in the local ledger as recorded.`,
        ),
      );
    }
    events.push(e);
  }
  return Promise.resolve(
    parts.remote.append(commit.streamId, events.map(toNew), {
      expectedVersion: commit.decidedOn,
      tenant: commit.tenant,
      commitId: commit.id,
    }),
  );
}

/** Deletes the landed commits; the cursor moves over them only where nothing of another writer's lies between. */
async function landed(
  tx: StoreWriter,
  list: ReadonlyArray<{ readonly commit: PendingCommit; readonly at: number }>,
): Promise<void> {
  const cursor = ((await getCursor(tx))?.model as SyncCursor | undefined) ?? {
    position: 0,
    rebuild: false,
  };
  for (const { commit } of list) await tx.delete(PENDING, SYNC_TENANT, commit.id);
  let position = cursor.position;
  for (const { commit, at } of [...list].sort((x, y) => x.at - y.at)) {
    if (at - commit.count === position) position = at;
  }
  if (position !== cursor.position) await putCursor(tx, { ...cursor, position });
}

/**
 * Pushes pending commits in order, up to `window` in flight (the shared log keeps each stream's
 * order: a commit expects the version the one before it makes); false when another writer got
 * to a stream first. What landed is written down before anything is thrown.
 */
export async function push(parts: SyncParts, report: Counts): Promise<boolean> {
  const list = await pendingList(parts.store, { state: 'pending' });
  for (let i = 0; i < list.length; i += parts.window) {
    const batch = list.slice(i, i + parts.window);
    const here = await eventsOf(parts, batch);
    const results = await Promise.allSettled(batch.map((commit) => send(parts, commit, here)));
    const done: Array<{ readonly commit: PendingCommit; readonly at: number }> = [];
    let conflict = false;
    let failure: unknown;
    results.forEach((r, k) => {
      if (r.status === 'fulfilled') done.push({ commit: batch[k]!, at: r.value.position });
      else if (isConcurrencyError(r.reason)) conflict = true;
      else failure ??= r.reason;
    });
    if (done.length > 0) {
      await parts.store.transaction((tx) => landed(tx, done));
      report.pushed += done.length;
    }
    if (failure !== undefined) throw failure;
    if (conflict) return false;
  }
  return true;
}
