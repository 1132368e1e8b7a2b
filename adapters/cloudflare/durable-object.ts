/**
 * The SQLite driver on a Durable Object's storage: the SQLite adapter's schema, ledger, store and
 * outbox over `ctx.storage.sql`, every append (with its inline perspectives and outbox rows) one
 * storage transaction. One object is one ledger: give each tenant or aggregate group its own.
 */
import {
  assembleSqliteDriver,
  type SqliteDriver,
  type SqliteDriverOptions,
} from '../sqlite/driver.ts';
import { migrate } from '../sqlite/schema.ts';
import { type DurableObjectStorage, fromSqlStorage, StorageGate } from './storage.ts';

/** Options of {@link durableObjectDriver}. */
export type DurableObjectDriverOptions = Omit<SqliteDriverOptions, 'busyTimeoutMs'>;

/**
 * Opens the driver on a Durable Object's storage (`ctx.storage` of a class declared with
 * `new_sqlite_classes`), creating or upgrading the schema in one storage transaction per step.
 * Reads answer synchronously; appends and store transactions settle once committed.
 */
export function durableObjectDriver(
  storage: DurableObjectStorage,
  options: DurableObjectDriverOptions = {},
): SqliteDriver {
  const db = fromSqlStorage(storage.sql);
  migrate(db, undefined, (work) => storage.transactionSync(work));
  // one instance of the object runs at a time: nobody else writes its database to be watched for
  const driver = assembleSqliteDriver(db, new StorageGate(db, storage), options, {
    owned: false,
    watch: false,
  });
  return driver;
}
