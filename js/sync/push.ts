/**
 * The push of a sync round: pending commits in local order, each expecting its stream in the
 * shared log at the version it was decided on, under its own id as the commit id (a repeated push
 * lands once). Streams go in parallel, up to `window` commits in flight; within a stream a commit
 * is sent only once the one before it landed, so none lands on a state it was not decided on:
 * after a refusal, the stream's later commits wait for the next pull, which displaces them all and
 * has their commands decided again.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { StoreWriter } from '../contracts/store.ts';
import { isConcurrencyError, isWhizbangError } from '../util/errors.ts';
import { gateOf } from './driver.ts';
import { type Counts, diverged, pendingList, readCursor, type SyncParts } from './parts.ts';
import {
  getCursor,
  PENDING,
  type PendingCommit,
  putCursor,
  SYNC_TENANT,
  type SyncCursor,
  toNew,
} from './records.ts';
import { recover } from './recover.ts';

/** Pending commits whose events are read from the local ledger at once. */
const CHUNK = 2048;

/** The chunk's events, read at once: a commit's events hold consecutive local positions. */
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

async function send(
  parts: SyncParts,
  commit: PendingCommit,
  here: Map<number, RecordedEvent>,
): Promise<number> {
  const events: RecordedEvent[] = [];
  for (let k = 0; k < commit.count; k++) {
    const e = here.get(commit.seq + k);
    if (
      e === undefined ||
      e.messageId !== commit.eventIds[k] ||
      e.streamId !== commit.streamId ||
      e.tenant !== commit.tenant
    ) {
      throw diverged(
        `Pending commit ${commit.id} of stream "${commit.streamId}" is not in the local ledger as recorded.`,
      );
    }
    events.push(e);
  }
  const result = await parts.remote.append(commit.streamId, events.map(toNew), {
    expectedVersion: commit.decidedOn,
    tenant: commit.tenant,
    commitId: commit.id,
  });
  return result.position;
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

const keyOf = (c: PendingCommit): string => `${c.tenant}\u0000${c.streamId}`;

/**
 * Pushes pending commits (see the module note); false when another writer got to a stream first
 * or a stream had to be rebuilt. What landed is written down before anything is thrown.
 */
export async function push(
  parts: SyncParts,
  report: Counts,
  displaced: () => void,
): Promise<boolean> {
  const list = await pendingList(parts.store, { state: 'pending' });
  const held = new Map<string, PendingCommit>(); // a stream refused, or diverged, this round
  for (let i = 0; i < list.length; i += CHUNK) {
    const chunk = list.slice(i, i + CHUNK);
    const here = await eventsOf(parts, chunk);
    const streams = new Map<string, PendingCommit[]>();
    for (const c of chunk) {
      const key = keyOf(c);
      const queue = streams.get(key);
      if (queue === undefined) streams.set(key, [c]);
      else queue.push(c);
    }
    const done: Array<{ readonly commit: PendingCommit; readonly at: number }> = [];
    let failure: unknown;
    const queues = [...streams.entries()];
    const worker = async (): Promise<void> => {
      for (let q = queues.shift(); q !== undefined; q = queues.shift()) {
        const [key, commits] = q;
        for (const commit of commits) {
          if (held.has(key) || failure !== undefined) break;
          try {
            done.push({ commit, at: await send(parts, commit, here) });
          } catch (error) {
            if (isConcurrencyError(error) || isWhizbangError(error, 'REPLICA_DIVERGED')) {
              held.set(key, commit);
              if (!isConcurrencyError(error)) diverging.push(commit);
            } else failure ??= error;
          }
        }
      }
    };
    const diverging: PendingCommit[] = [];
    await Promise.all(Array.from({ length: Math.min(parts.window, queues.length) }, worker));
    if (done.length > 0) {
      await parts.store.transaction((tx) => landed(tx, done));
      report.pushed += done.length;
    }
    for (const c of diverging) await rebuild(parts, c);
    if (diverging.length > 0) displaced();
    if (failure !== undefined) throw failure;
  }
  return held.size === 0;
}

/** A pending commit is not in the local ledger as recorded: its stream is rebuilt from the log. */
async function rebuild(parts: SyncParts, commit: PendingCommit): Promise<void> {
  await gateOf(parts.driver).exclusive(async () => {
    const cursor = await readCursor(parts.store);
    await recover(parts, commit.tenant, commit.streamId, cursor, cursor.position);
  });
}
