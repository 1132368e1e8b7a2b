/**
 * `offlineDriver(driver)`: the app's local driver, keeping every local commit as pending (with the
 * command that made it and the version it was decided on) in the same transaction as its events,
 * until sync has put it on the shared log.
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
import { WhizbangError } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { PENDING, type PendingCommit, row, SYNC_TENANT, toNew } from './records.ts';

/** A driver whose local commits wait as pending until sync pushes them. */
export interface OfflineDriver extends Driver {
  /** The driver it wraps. */
  readonly local: Driver;
}

const offline = new WeakSet<Driver>();

/** Whether `driver` came from {@link offlineDriver}. */
export function isOfflineDriver(driver: Driver): driver is OfflineDriver {
  return offline.has(driver);
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

/**
 * Wraps a local driver (SQLite, IndexedDB) for offline-first sync: build the app on it, then
 * start `startSync(app, { remote })`. The driver must be able to replace a stream's pending tail
 * (`ledger.replaceTail`), which the SQLite and IndexedDB drivers can.
 */
export function offlineDriver(driver: Driver): OfflineDriver {
  const inner = driver.ledger;
  if (typeof inner.replaceTail !== 'function') {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The "${driver.name}" driver cannot sync offline: its ledger cannot replace pending events (replaceTail). Use the SQLite or IndexedDB driver.`,
    );
  }
  const record = (
    streamId: string,
    options: AppendOptions,
  ): NonNullable<AppendOptions['inTransaction']> => {
    const work = options.inTransaction;
    const replaces = options.sync?.replaces;
    return (recorded, tx: StoreWriter) =>
      chain(work?.(recorded, tx), () =>
        chain(
          replaces === undefined ? undefined : tx.delete(PENDING, SYNC_TENANT, replaces),
          () => {
            const commit = pendingOf(streamId, recorded, options);
            return tx.put(PENDING, row(commit.id, commit, commit.seq));
          },
        ),
      );
  };
  const ledger: Ledger = {
    append(
      streamId: string,
      events: readonly NewEvent[],
      options: AppendOptions = {},
    ): MaybePromise<AppendResult> {
      if (events.length === 0 || options.sync?.pulled === true) {
        return inner.append(streamId, events, options);
      }
      return inner.append(streamId, events, {
        ...options,
        inTransaction: record(streamId, options),
      });
    },
    replaceTail: (streamId, after, events, options) =>
      inner.replaceTail!(streamId, after, events, options),
    ...(inner.appendBatch === undefined
      ? {}
      : {
          appendBatch: (appends: readonly BatchAppend[]) =>
            inner.appendBatch!(
              appends.map((a) => {
                const options = a.options ?? {};
                return a.events.length === 0 || options.sync?.pulled === true
                  ? a
                  : { ...a, options: { ...options, inTransaction: record(a.streamId, options) } };
              }),
            ),
        }),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    streamVersion: (streamId, options) => inner.streamVersion(streamId, options),
    headPosition: () => inner.headPosition(),
    watch: (listener) => inner.watch(listener),
    close: () => inner.close?.(),
  };
  const wrapped: OfflineDriver = {
    name: driver.name,
    ledger,
    store: driver.store,
    ...(driver.snapshots === undefined ? {} : { snapshots: driver.snapshots }),
    local: driver,
    close: () => driver.close?.(),
  };
  offline.add(wrapped);
  return wrapped;
}
