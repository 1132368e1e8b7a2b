/**
 * The pull of a sync round: the shared log's events after the cursor, stream run by stream run.
 * Events this replica holds already are skipped; its own pending commits found in the log (a push
 * whose answer was lost) become confirmed; others' events are appended with the cursor in one local
 * transaction, a page of plain runs at a time. When others' events land on versions a pending
 * commit holds locally, the stream's pending tail is replaced by them (marked for a rebase).
 */
import type { NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { ReplicatedRun } from '../runtime/replica.ts';
import { isWhizbangError } from '../util/errors.ts';
import { gateOf } from './driver.ts';
import {
  type Counts,
  chainAll,
  diverged,
  pendingList,
  readCursor,
  type SyncParts,
  settledBy,
} from './parts.ts';
import {
  PENDING,
  type PendingCommit,
  putCursor,
  row,
  SYNC_TENANT,
  type SyncCursor,
  toNew,
} from './records.ts';
import { recover } from './recover.ts';

const runKey = (e: RecordedEvent): string => `${e.tenant}\u0000${e.streamId}`;

/** The shared log from a position to its head, page by page. */
async function* pages(parts: SyncParts, from: number): AsyncIterable<RecordedEvent[]> {
  const { remote, pageSize } = parts;
  if (remote.readAllBatches !== undefined) {
    yield* remote.readAllBatches({ from, batch: pageSize });
    return;
  }
  for (;;) {
    const page = await remote.readAll({ from, limit: pageSize });
    if (page.length === 0) return;
    yield page;
    from = page[page.length - 1]!.position + 1;
  }
}

/** This replica's pending commits by stream, read in the critical section that uses them. */
async function waitingOf(parts: SyncParts): Promise<Map<string, PendingCommit[]>> {
  const waiting = new Map<string, PendingCommit[]>();
  for (const p of await pendingList(parts.store, { state: 'pending' })) {
    const key = `${p.tenant}\u0000${p.streamId}`;
    const list = waiting.get(key);
    if (list === undefined) waiting.set(key, [p]);
    else list.push(p);
  }
  return waiting;
}

/**
 * Pulls everything after the cursor; `displaced` is told when a pending tail was replaced. Each
 * page is taken in one critical section (local appends wait): the pending commits and local
 * versions it reads cannot change under it.
 */
export async function pull(parts: SyncParts, report: Counts, displaced: () => void): Promise<void> {
  const gate = gateOf(parts.driver);
  let cursor = await readCursor(parts.store);
  for await (const page of pages(parts, cursor.position + 1)) {
    cursor = await gate.exclusive(() => take(parts, page, cursor, report, displaced));
  }
}

/** Takes one page of the shared log; returns the cursor after it. */
async function take(
  parts: SyncParts,
  page: readonly RecordedEvent[],
  from: SyncCursor,
  report: Counts,
  displaced: () => void,
): Promise<SyncCursor> {
  const { ledger, replica } = parts;
  let cursor = from;
  const waiting = await waitingOf(parts);
  // runs that simply go on a stream are written together, in one local transaction
  let batch: ReplicatedRun[] = [];
  const inBatch = new Set<string>();
  let through = cursor.position;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const next: SyncCursor = { ...cursor, position: through };
    await replica.appendReplicated(parts.replicated, batch, (_, tx) => putCursor(tx, next));
    cursor = next;
    batch = [];
    inBatch.clear();
  };
  let i = 0;
  while (i < page.length) {
    const key = runKey(page[i]!);
    let j = i + 1;
    while (j < page.length && runKey(page[j]!) === key) j++;
    const run = page.slice(i, j);
    i = j;
    const first = run[0]!;
    if (run[run.length - 1]!.position <= cursor.position) continue;
    if (!waiting.has(key)) {
      if (inBatch.has(key)) await flush();
      const local = await ledger.streamVersion(first.streamId, { tenant: first.tenant });
      if (first.version === local + 1) {
        batch.push({
          streamId: first.streamId,
          tenant: first.tenant,
          events: run.map(toNew),
          expectedVersion: local,
        });
        inBatch.add(key);
        through = run[run.length - 1]!.position;
        report.pulled += run.length;
        continue;
      }
    }
    await flush();
    try {
      cursor = await apply(parts, run, cursor, waiting, report, displaced);
    } catch (error) {
      if (!isWhizbangError(error, 'REPLICA_DIVERGED')) throw error;
      waiting.delete(key);
      cursor = await recover(parts, first.tenant, first.streamId, cursor, run.at(-1)!.position);
      displaced();
    }
    through = cursor.position;
  }
  await flush();
  return cursor;
}

/** Takes one run of the shared log's events of one stream that this replica has pending commits on, or holds. */
async function apply(
  parts: SyncParts,
  run: RecordedEvent[],
  cursor: SyncCursor,
  waiting: Map<string, PendingCommit[]>,
  report: Counts,
  displaced: () => void,
): Promise<SyncCursor> {
  const { ledger, store } = parts;
  const { tenant, streamId } = run[0]!;
  const last = run[run.length - 1]!.position;
  const key = runKey(run[0]!);
  const pending = waiting.get(key) ?? [];
  let confirmed = await ledger.streamVersion(streamId, { tenant });
  for (const p of pending) confirmed -= p.count;
  let k = await held(parts, run, confirmed);
  // its own pending commits, which a push put there without this replica hearing back
  while (k < run.length && pending.length > 0 && run[k]!.messageId === pending[0]!.eventIds[0]) {
    const commit = pending.shift()!;
    const ids = run.slice(k, k + commit.count).map((e) => e.messageId);
    if (ids.length !== commit.count || ids.some((id, i) => id !== commit.eventIds[i])) {
      throw diverged(
        `Pending commit ${commit.id} of stream "${streamId}" is only partly in the shared log.`,
      );
    }
    k += commit.count;
    confirmed += commit.count;
    const next: SyncCursor = { ...cursor, position: run[k - 1]!.position };
    cursor = next;
    await store.transaction((tx) =>
      chainAll(tx.delete(PENDING, SYNC_TENANT, commit.id), putCursor(tx, next)),
    );
    report.confirmed++;
  }
  if (pending.length === 0) waiting.delete(key);
  const ours = new Set(pending.flatMap((p) => p.eventIds));
  // in server mode the server's events may settle any of them: the tail is replaced below
  if (parts.server === undefined && run.slice(k).some((e) => ours.has(e.messageId))) {
    throw diverged(
      `A pending commit of stream "${streamId}" is in the shared log out of its order.`,
    );
  }
  if (k === run.length) {
    if (cursor.position >= last) return cursor;
    const next: SyncCursor = { ...cursor, position: last };
    await store.transaction((tx) => putCursor(tx, next));
    return next;
  }
  const rest = run.slice(k);
  if (rest[0]!.version !== confirmed + 1) {
    throw diverged(
      `The shared log's stream "${streamId}" goes on at version ${rest[0]!.version}, but this replica holds it to version ${confirmed}.`,
    );
  }
  const events = rest.map(toNew);
  report.pulled += rest.length;
  if (pending.length === 0) {
    const next: SyncCursor = { ...cursor, position: last };
    const runOf = { streamId, tenant, events, expectedVersion: confirmed };
    await parts.replica.appendReplicated(parts.replicated, [runOf], (_, tx) => putCursor(tx, next));
    return next;
  }
  waiting.delete(key);
  displaced();
  // in server mode, the commands the server decided its own way are done (their events come here)
  report.confirmed += pending.filter(settledBy(parts, rest)).length;
  return replaceTail(
    parts,
    { streamId, tenant, events, expectedVersion: confirmed, recorded: rest },
    pending,
    cursor,
    last,
  );
}

/** How many of the run's first events this replica holds already (its own, pushed in an earlier round). */
async function held(parts: SyncParts, run: RecordedEvent[], confirmed: number): Promise<number> {
  const { tenant, streamId } = run[0]!;
  let k = 0;
  if (run[0]!.version > confirmed) return k;
  const upTo = Math.min(confirmed, run[run.length - 1]!.version);
  const here = await parts.ledger.readStream(streamId, { tenant, from: run[0]!.version, to: upTo });
  for (const e of here) {
    const theirs = run[k];
    if (theirs === undefined || theirs.version !== e.version) break;
    if (theirs.messageId !== e.messageId) {
      throw diverged(
        `Version ${e.version} of stream "${streamId}" is event ${e.messageId} here but ${theirs.messageId} in the shared log.`,
      );
    }
    k++;
  }
  return k;
}

/**
 * Another writer got there first: its events replace the stream's pending tail, the pending commits
 * are marked `rebasing`, and the perspectives of the types that go and come are marked for a
 * rebuild (kept in the cursor, so a crash redoes the same).
 */
async function replaceTail(
  parts: SyncParts,
  run: ReplicatedRun & {
    readonly events: readonly NewEvent[];
    readonly expectedVersion: number;
    readonly recorded: readonly RecordedEvent[];
  },
  pending: readonly PendingCommit[],
  cursor: SyncCursor,
  last: number,
): Promise<SyncCursor> {
  const { streamId, tenant, expectedVersion: confirmed } = run;
  const settled = settledBy(parts, run.recorded);
  const gone = await parts.ledger.readStream(streamId, { tenant, from: confirmed + 1 });
  const types = new Set([...gone, ...run.events].map((e) => e.type));
  const before = cursor.rebuild ? cursor.rebuildTypes : [];
  const next: SyncCursor = {
    position: last,
    rebuild: true,
    ...(before === undefined ? {} : { rebuildTypes: [...new Set([...before, ...types])] }),
  };
  await parts.replica.replaceTail(
    parts.replicated,
    { streamId, tenant, events: run.events, expectedVersion: confirmed, after: confirmed },
    (_, tx) =>
      chainAll(
        ...pending.map((p) =>
          settled(p)
            ? tx.delete(PENDING, SYNC_TENANT, p.id)
            : tx.put(PENDING, row(p.id, { ...p, state: 'rebasing' }, p.seq)),
        ),
        putCursor(tx, next),
      ),
  );
  gateOf(parts.driver).rewound(`${tenant}\u0000${streamId}`);
  await parts.replica.rewound(tenant, streamId);
  return next;
}
