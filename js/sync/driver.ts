/**
 * `offlineDriver(driver)`: the app's local driver, keeping every local commit as pending (with the
 * command that made it and the version it was decided on) in the same transaction as its events,
 * until sync has put it on the shared log. Events from the shared log are appended to the driver
 * it wraps (`local`), so they are never pending.
 */
import type { Driver } from '../contracts/driver.ts';
import type {
  AppendOptions,
  AppendResult,
  BatchAppend,
  Ledger,
  NewEvent,
  RecordedEvent,
} from '../contracts/ledger.ts';
import type { StoreWriter } from '../contracts/store.ts';
import type { Lens } from '../runtime/types.ts';
import { ConcurrencyError, WhizbangError } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { Gate } from './gate.ts';
import {
  CONFLICTS,
  PENDING,
  type PendingCommit,
  row,
  SYNC_TENANT,
  type SyncConflict,
  toNew,
} from './records.ts';

/** A driver whose local commits wait as pending until sync pushes them. */
export interface OfflineDriver extends Driver {
  /** The driver it wraps: what is appended to its ledger is not pending (events from the shared log). */
  readonly local: Driver;
  /** The local commits not on the shared log yet, in push order (offline too). */
  pending(): Promise<PendingCommit[]>;
  /** The local commits sync could not keep: `get(id)`, `query({ where: { streamId } })`. */
  readonly conflicts: Lens<SyncConflict>;
  /** Forgets a conflict the app has dealt with. */
  dismiss(id: string): Promise<void>;
}

const offline = new WeakMap<Driver, Gate>();

/** Whether `driver` came from {@link offlineDriver}. */
export function isOfflineDriver(driver: Driver): driver is OfflineDriver {
  return offline.has(driver);
}

/** The turn-taking of an offline driver's local appends and its sync's critical sections. */
export function gateOf(driver: OfflineDriver): Gate {
  return offline.get(driver)!;
}

function pendingOf(
  streamId: string,
  recorded: readonly RecordedEvent[],
  options: AppendOptions,
): PendingCommit {
  const first = recorded[0]!;
  const cause = options.cause;
  const command =
    cause?.message.kind === 'command'
      ? {
          type: cause.message.type,
          data: cause.message.data,
          messageId: cause.messageId,
          correlationId: cause.correlationId,
          causationId: cause.causationId,
        }
      : undefined;
  const commit = {
    id: uuidv7(),
    seq: first.position,
    streamId,
    tenant: first.tenant,
    decidedOn: first.version - 1,
    expected: options.expectedVersion ?? 'any',
    count: recorded.length,
    eventIds: recorded.map((e) => e.messageId),
    state: 'pending' as const,
  };
  if (command !== undefined) return { ...commit, command };
  return { ...commit, events: recorded.map(toNew) };
}

/** The options of an append, its transaction also keeping the commit as pending. */
function recording(streamId: string, options: AppendOptions): AppendOptions {
  const work = options.inTransaction;
  return {
    ...options,
    inTransaction: (recorded, tx: StoreWriter) =>
      chain(work?.(recorded, tx), () => {
        const commit = pendingOf(streamId, recorded, options);
        return tx.put(PENDING, row(commit.id, commit, commit.seq));
      }),
  };
}

/**
 * A command decided on a stream whose tail sync replaced meanwhile is decided again: the new tail
 * may end at the version the old state had, which would let the append through on a state it was
 * not decided on (the receptor's retry reads the new state).
 */
function fence(gate: Gate, streamId: string, options: AppendOptions): void {
  const cause = options.cause;
  if (cause?.message.kind !== 'command' || typeof options.expectedVersion !== 'number') return;
  const key = `${options.tenant ?? cause.tenant}\u0000${streamId}`;
  if (gate.stale(key, cause.messageId)) {
    throw new ConcurrencyError(streamId, options.expectedVersion, options.expectedVersion);
  }
}

/** The ledger of an offline driver: appends through it are kept as pending. */
function pendingLedger(inner: Ledger, gate: Gate): Ledger {
  return {
    append(
      streamId: string,
      events: readonly NewEvent[],
      options: AppendOptions = {},
    ): MaybePromise<AppendResult> {
      if (events.length === 0) return inner.append(streamId, events, options);
      return gate.local(() => {
        fence(gate, streamId, options);
        return inner.append(streamId, events, recording(streamId, options));
      });
    },
    replaceTail: (streamId, after, events, options) =>
      inner.replaceTail!(streamId, after, events, options),
    ...(inner.appendBatch === undefined
      ? {}
      : {
          appendBatch: (appends: readonly BatchAppend[]) =>
            gate.local(() =>
              inner.appendBatch!(
                appends.map((a) => {
                  if (a.events.length === 0) return a;
                  fence(gate, a.streamId, a.options ?? {});
                  return { ...a, options: recording(a.streamId, a.options ?? {}) };
                }),
              ),
            ),
        }),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    streamVersion: (streamId, options) => inner.streamVersion(streamId, options),
    headPosition: () => inner.headPosition(),
    watch: (listener) => inner.watch(listener),
    close: () => inner.close?.(),
  };
}

/**
 * Wraps a local driver (SQLite, IndexedDB) for offline-first sync: build the app on it, then
 * start `startSync(app, { remote })`. The driver must be able to replace a stream's pending tail
 * (`ledger.replaceTail`), which the SQLite and IndexedDB drivers can.
 */
export function offlineDriver(driver: Driver): OfflineDriver {
  if (driver.layer?.travels === true) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `offlineDriver cannot go over a layer whose stored form travels (protect): sync would push the opened values. Wrap the other way round: protect(offlineDriver(driver), …).`,
    );
  }
  if (typeof driver.ledger.replaceTail !== 'function') {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The "${driver.name}" driver cannot sync offline: its ledger cannot replace pending events (replaceTail). Use the SQLite or IndexedDB driver.`,
    );
  }
  const store = driver.store;
  const gate = new Gate();
  const wrapped: OfflineDriver = {
    name: driver.name,
    ledger: pendingLedger(driver.ledger, gate),
    store,
    ...(driver.snapshots === undefined ? {} : { snapshots: driver.snapshots }),
    local: driver,
    pending: async () => {
      const rows = await store.query(PENDING, SYNC_TENANT, { orderBy: { seq: 'asc' } });
      return rows.map((r) => r.model as PendingCommit);
    },
    conflicts: {
      get: async (id) =>
        (await store.get(CONFLICTS, SYNC_TENANT, id))?.model as SyncConflict | undefined,
      query: async (q = {}) => {
        const { tenant: _ignored, ...query } = q;
        const rows = await store.query(CONFLICTS, SYNC_TENANT, query);
        return rows.map((r) => r.model as SyncConflict);
      },
    },
    dismiss: async (id) => {
      await store.transaction((tx) => tx.delete(CONFLICTS, SYNC_TENANT, id));
    },
    close: () => driver.close?.(),
  };
  offline.set(wrapped, gate);
  return wrapped;
}
