/**
 * The rebase of a sync round, after another writer's events displaced local commits: the
 * perspectives of the types that went and came are rebuilt, then each displaced command is decided
 * again by its receptor on the stream's new state. Its new events become a new pending commit;
 * when the receptor now refuses, the conflict is recorded and reported. Nothing is dropped silently.
 */
import { createEnvelope, type Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { scrubText } from '../messages/scrub.ts';
import type { InTransaction } from '../runtime/flow.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { gateOf } from './driver.ts';
import { type Counts, chainAll, pendingList, readCursor, type SyncParts } from './parts.ts';
import {
  CONFLICTS,
  PENDING,
  type PendingCommit,
  putCursor,
  row,
  SYNC_TENANT,
  type SyncConflict,
} from './records.ts';

/** Rebases one sync's displaced commits. */
export class Rebase {
  readonly #parts: SyncParts;
  /** Whether displaced commits may wait to be decided again (always so after a start). */
  #due = true;

  constructor(parts: SyncParts) {
    this.#parts = parts;
  }

  /** A pull displaced pending commits. */
  due(): void {
    this.#due = true;
  }

  /** Rebuilds perspectives after a replacement, then decides displaced commands again. */
  async settle(report: Counts): Promise<void> {
    if (!this.#due) return;
    const { app, store } = this.#parts;
    const cursor = await readCursor(store);
    if (cursor.rebuild) {
      const types = cursor.rebuildTypes;
      for (const p of app.perspectives.values()) {
        if (types === undefined || types.some((t) => p.types.has(t))) await app.rebuild(p);
      }
      await store.transaction((tx) => putCursor(tx, { position: cursor.position, rebuild: false }));
    }
    for (const commit of await pendingList(store, { state: 'rebasing' })) {
      await this.#decideAgain(commit, report);
    }
    this.#due = false;
  }

  async #decideAgain(commit: PendingCommit, report: Counts): Promise<void> {
    const { replica, driver } = this.#parts;
    // the new decision replaces the displaced commit in its own transaction
    const replaced: InTransaction = (_, tx) => tx.delete(PENDING, SYNC_TENANT, commit.id);
    let failure: unknown;
    try {
      if (commit.command !== undefined) {
        const c = commit.command;
        const envelope = createEnvelope(
          { kind: 'command', type: c.type, data: c.data } as Command,
          {
            messageId: c.messageId,
            correlationId: c.correlationId,
            causationId: c.causationId,
            tenant: commit.tenant,
          },
        ) as Envelope<Command>;
        gateOf(driver).deciding(`${commit.tenant}\u0000${commit.streamId}`, c.messageId);
        await replica.decideAgain(envelope, replaced);
        report.redecided++;
        return;
      }
      if (commit.expected === 'any' && commit.events !== undefined) {
        // published events that expected nothing of the stream go on it again, pending anew
        const run = {
          streamId: commit.streamId,
          tenant: commit.tenant,
          events: commit.events,
          expectedVersion: 'any' as const,
        };
        await replica.appendReplicated(this.#parts.own, [run], replaced);
        report.redecided++;
        return;
      }
      failure = new WhizbangError(
        'CONCURRENCY_CONFLICT',
        `Events published to "${commit.streamId}" expecting version ${String(commit.expected)} were displaced by another writer's.`,
      );
    } catch (error) {
      failure = error;
    }
    await this.#conflict(commit, failure, report);
  }

  async #conflict(commit: PendingCommit, failure: unknown, report: Counts): Promise<void> {
    const { remote, store, tell } = this.#parts;
    const remoteVersion = await remote.streamVersion(commit.streamId, { tenant: commit.tenant });
    const conflict: SyncConflict = {
      id: commit.id,
      streamId: commit.streamId,
      tenant: commit.tenant,
      ...(commit.command === undefined ? {} : { command: commit.command }),
      ...(commit.events === undefined ? {} : { events: commit.events }),
      remoteVersion,
      // a receptor's own error is its refusal of the command on the new state
      code: isWhizbangError(failure) ? failure.code : 'COMMAND_REFUSED',
      // stored and shown: the clear values of the command's and events' protected fields are masked
      message: scrubText(
        failure instanceof Error ? failure.message : String(failure),
        commit.command,
        ...(commit.events ?? []),
      ),
      at: Date.now(),
    };
    await store.transaction((tx) =>
      chainAll(
        tx.delete(PENDING, SYNC_TENANT, commit.id),
        tx.put(CONFLICTS, row(commit.id, conflict)),
      ),
    );
    report.conflicts++;
    tell(conflict);
  }
}
