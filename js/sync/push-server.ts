/**
 * The push of a sync round in server mode: each pending command goes to the authoritative server,
 * which decides it on the shared log's state and appends what it decides. Streams go in parallel
 * (up to `window`), a stream's commands one after another. A command the server decided stays
 * pending until the pull finds its events (confirmed by its event ids when the server decided the
 * same, else the server's events replace the local ones); a refused one becomes a conflict and the
 * stream is rebuilt from the log, its later commands decided again locally before they are pushed.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import { gateOf } from './driver.ts';
import { type Counts, chainAll, pendingList, readCursor, type SyncParts } from './parts.ts';
import {
  CONFLICTS,
  PENDING,
  type PendingCommit,
  row,
  SYNC_TENANT,
  type SyncConflict,
} from './records.ts';
import { recover } from './recover.ts';
import type { PushAnswer, SyncLink } from './wire.ts';

const keyOf = (c: PendingCommit): string => `${c.tenant}\u0000${c.streamId}`;

/** A stream whose command the server refused, or had decided before: rebuilt from the log. */
interface Settle {
  readonly commit: PendingCommit;
  readonly refusal?: { readonly code: string; readonly message: string };
}

async function ask(parts: SyncParts, link: SyncLink, commit: PendingCommit): Promise<PushAnswer> {
  if (commit.command === undefined) {
    return {
      status: 'refused',
      code: 'FORBIDDEN',
      message: `Events published directly to "${commit.streamId}" are not pushed to an authoritative server: it decides commands only.`,
    };
  }
  // as the app sees them (opened under `protect`): the server tells by them that it decided the
  // same, and its own layer seals what it appends
  const here: RecordedEvent[] = await parts.own.readAll({
    from: commit.seq,
    to: commit.seq + commit.count - 1,
  });
  return link.push({
    id: commit.id,
    tenant: commit.tenant,
    streamId: commit.streamId,
    command: commit.command,
    events: here.map((e) => ({ messageId: e.messageId, type: e.type, data: e.data })),
  });
}

/** Records a refused command as a conflict; its pending commit goes. */
async function conflict(
  parts: SyncParts,
  commit: PendingCommit,
  refusal: { readonly code: string; readonly message: string },
  report: Counts,
): Promise<void> {
  const remoteVersion = await parts.remote.streamVersion(commit.streamId, {
    tenant: commit.tenant,
  });
  const record: SyncConflict = {
    id: commit.id,
    streamId: commit.streamId,
    tenant: commit.tenant,
    ...(commit.command === undefined ? {} : { command: commit.command }),
    ...(commit.events === undefined ? {} : { events: commit.events }),
    remoteVersion,
    code: refusal.code,
    message: refusal.message,
    at: Date.now(),
  };
  await parts.store.transaction((tx) =>
    chainAll(tx.delete(PENDING, SYNC_TENANT, commit.id), tx.put(CONFLICTS, row(commit.id, record))),
  );
  report.conflicts++;
  parts.tell(record);
}

/**
 * Pushes pending commands to the server (see the module note). Returns how many it sent that the
 * server decided (the next pull brings their events).
 */
export async function pushToServer(
  parts: SyncParts,
  link: SyncLink,
  report: Counts,
  displaced: () => void,
): Promise<number> {
  const list = await pendingList(parts.store, { state: 'pending' });
  const streams = new Map<string, PendingCommit[]>();
  for (const c of list) {
    const queue = streams.get(keyOf(c));
    if (queue === undefined) streams.set(keyOf(c), [c]);
    else queue.push(c);
  }
  const queues = [...streams.values()];
  const settle: Settle[] = [];
  let sent = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    for (let q = queues.shift(); q !== undefined; q = queues.shift()) {
      for (const commit of q) {
        if (failure !== undefined) return;
        let answer: PushAnswer;
        try {
          answer = await ask(parts, link, commit);
        } catch (error) {
          failure ??= error;
          return;
        }
        if (answer.status === 'decided') {
          sent++;
          continue;
        }
        // refused, or decided before: the stream is rebuilt from the log before it goes on
        settle.push(answer.status === 'refused' ? { commit, refusal: answer } : { commit });
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parts.window, queues.length) }, worker));
  report.pushed += sent;
  for (const { commit, refusal } of settle) {
    await gateOf(parts.driver).exclusive(async () => {
      if (refusal !== undefined) await conflict(parts, commit, refusal, report);
      const cursor = await readCursor(parts.store);
      await recover(parts, commit.tenant, commit.streamId, cursor, cursor.position);
    });
  }
  if (settle.length > 0) displaced();
  if (failure !== undefined) throw failure;
  return sent;
}
