/**
 * The SQLite driver on a Durable Object's storage: the SQLite adapter's schema, ledger, store and
 * outbox over `ctx.storage.sql`, every append (with its inline perspectives and outbox rows) one
 * storage transaction. One object is one ledger: give each tenant or aggregate group its own.
 */
import type { BatchAppend } from '../../js/kit/mod.ts';
import type { StoreWriter } from '../../js/mod.ts';
import {
  assembleSqliteDriver,
  type SqliteDriver,
  type SqliteDriverOptions,
} from '../sqlite/driver.ts';
import { migrate } from '../sqlite/schema.ts';
import { fenced, fencedOptions } from './fence.ts';
import { type DurableObjectStorage, fromSqlStorage, StorageGate } from './storage.ts';

/** Options of {@link durableObjectDriver}. */
export type DurableObjectDriverOptions = Omit<SqliteDriverOptions, 'busyTimeoutMs'>;

/**
 * Opens the driver on a Durable Object's storage (`ctx.storage` of a class declared with
 * `new_sqlite_classes`), creating or upgrading the schema in one storage transaction per step.
 * Reads answer synchronously, and so does an append whose inline work does not await (see
 * `StorageGate`).
 */
export function durableObjectDriver(
  storage: DurableObjectStorage,
  options: DurableObjectDriverOptions = {},
): SqliteDriver {
  const db = fromSqlStorage(storage.sql);
  migrate(db, undefined, (work) => storage.transactionSync(work));
  const gate = new StorageGate(db, storage);
  // one instance of the object runs at a time: nobody else writes its database to be watched for
  const driver = assembleSqliteDriver(db, gate, options, { owned: false, watch: false });
  const { ledger, store } = driver;
  return {
    ...driver,
    ledger: {
      ...ledger,
      append: (stream, events, opts) => ledger.append(stream, events, fencedOptions(opts, gate)),
      replaceTail: (stream, after, events, opts) =>
        ledger.replaceTail(stream, after, events, fencedOptions(opts, gate)),
      appendBatch: (appends) =>
        ledger.appendBatch(
          appends.map(
            (a): BatchAppend =>
              a.options === undefined ? a : { ...a, options: fencedOptions(a.options, gate) },
          ),
        ),
    },
    store: {
      ...store,
      transaction: <T>(fn: (tx: StoreWriter) => T | Promise<T>) =>
        store.transaction((tx) => fn(fenced(tx, gate))),
    },
  };
}
