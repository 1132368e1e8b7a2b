/** What the steps of a sync round share: the app's replica, the local store, the shared log, the settings. */
import type { DriverLayer } from '../contracts/driver.ts';
import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Replica } from '../runtime/replica.ts';
import type { Whizbang } from '../runtime/types.ts';
import { WhizbangError } from '../util/errors.ts';
import type { OfflineDriver } from './driver.ts';
import {
  getCursor,
  PENDING,
  type PendingCommit,
  SYNC_TENANT,
  type SyncConflict,
  type SyncCursor,
} from './records.ts';
import type { SyncLink } from './wire.ts';

/** The parts one sync works with. */
export interface SyncParts {
  /** The app (its perspectives are rebuilt after a rebase). */
  readonly app: Whizbang<any, any>;
  readonly replica: Replica;
  readonly driver: OfflineDriver;
  /**
   * The app's ledger as recorded locally (reads; appends through it become pending), under the
   * driver's layers: what is pushed, as stored (sealed).
   */
  readonly ledger: Ledger;
  /** Where others' events are appended (not pending), through the driver's layers. */
  readonly replicated: Ledger;
  /** The app's own ledger (appends through it become pending), through the driver's layers. */
  readonly own: Ledger;
  /** The layers over the offline driver (`protect`), outermost first; empty when none. */
  readonly layers: readonly DriverLayer[];
  readonly store: PerspectiveStore;
  /** The shared log. */
  readonly remote: Ledger;
  /** Events read from the shared log per request. */
  readonly pageSize: number;
  /** Pending commits pushed at once. */
  readonly window: number;
  /** The authoritative server pending commands go to (server mode), instead of the shared log. */
  readonly server: SyncLink | undefined;
  /** Tells the app of a conflict (never throws). */
  readonly tell: (conflict: SyncConflict) => void;
  /** Stream groups: the replica reads through its server, only its scope's groups. */
  readonly scope?: ScopeStep | undefined;
}

/** The scope step of a round by stream group (`GroupScope` of `rescope.ts`). */
export interface ScopeStep {
  /** Brings the replica's groups to the server's scope now. */
  step(parts: SyncParts, report: Counts, displaced: () => void): Promise<void>;
}

/** What a round did, counted as it goes. */
export interface Counts {
  pulled: number;
  pushed: number;
  confirmed: number;
  redecided: number;
  conflicts: number;
  forgotten?: number;
}

/** A stream of the replica no longer matches the shared log: the round rebuilds it from the log. */
export function diverged(message: string): WhizbangError {
  return new WhizbangError(
    'REPLICA_DIVERGED',
    `${message} The stream no longer matches the shared log; sync rebuilds it from the log and decides its pending commands again (nothing to do unless this keeps coming back).`,
  );
}

/** How far into the shared log this replica is. */
export async function readCursor(store: PerspectiveStore): Promise<SyncCursor> {
  const stored = await getCursor(store);
  return (stored?.model as SyncCursor | undefined) ?? { position: 0, rebuild: false };
}

/** Pending commits in push order, those matching `where` (by state, say). */
export async function pendingList(
  store: PerspectiveStore,
  where: Record<string, string> = {},
): Promise<PendingCommit[]> {
  const rows = await store.query(PENDING, SYNC_TENANT, { where, orderBy: { seq: 'asc' } });
  return rows.map((r) => r.model as PendingCommit);
}

/**
 * Whether the shared log holds the outcome of a pending commit: its own events (by id), or, in
 * server mode, events its command caused (the server decided it its own way).
 */
export function settledBy(
  parts: SyncParts,
  events: readonly RecordedEvent[],
): (commit: PendingCommit) => boolean {
  const ids = new Set(events.map((e) => e.messageId));
  const causes = parts.server === undefined ? undefined : new Set(events.map((e) => e.causationId));
  return (commit) =>
    commit.eventIds.every((id) => ids.has(id)) ||
    (causes !== undefined && commit.command !== undefined && causes.has(commit.command.messageId));
}

/** Waits for each of several maybe-promises (requests of one transaction). */
export function chainAll(...steps: unknown[]): Promise<void> | undefined {
  return steps.some((s) => s instanceof Promise)
    ? Promise.all(steps).then(() => undefined)
    : undefined;
}
