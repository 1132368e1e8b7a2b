/**
 * The perspective store, snapshots and outbox on D1. A transaction's reads go to the database as
 * asked; its writes go as one batch with guards on what it read (see `tx.ts`), and the whole
 * transaction is decided again when one fails.
 */
import { checkQuery, type Limits, runQuery } from '../../../js/kit/mod.ts';
import type {
  AsyncPerspectiveStore,
  OutboxStore,
  Snapshot,
  SnapshotStore,
  StoreWriter,
} from '../../../js/mod.ts';
import { modelOf } from '../../sqlite/store.ts';
import type { D1Database } from './binding.ts';
import { d1Outbox } from './outbox.ts';
import { decided } from './retry.ts';
import { D1Transaction, MODEL } from './tx.ts';

/** The D1 store; every answer is a promise. */
export interface D1Store extends AsyncPerspectiveStore {
  /**
   * Runs `fn` and commits what it wrote as one batch; when a model it read changed before the
   * batch ran, `fn` runs again on fresh reads (keep it free of other effects).
   */
  transaction<T>(fn: (tx: StoreWriter) => T | Promise<T>): Promise<T>;
  /** The outbox and inbox, in the same database. */
  readonly outbox: OutboxStore;
  /** Snapshots of stateful streams, in the same database. */
  readonly snapshots: SnapshotStore;
}

/** Creates the store over a migrated D1 database. */
export function d1Store(db: D1Database, limits: Limits): D1Store {
  return {
    async get(perspective, tenant, id) {
      const row = (await db.prepare(MODEL).bind(perspective, tenant, id).raw())[0];
      return row === undefined ? undefined : modelOf(row);
    },
    async query(perspective, tenant, query) {
      checkQuery(query, limits);
      // evaluated in JavaScript over the tenant's rows, as every driver does
      const rows = await db
        .prepare(
          'SELECT id, tenant, model, version, position, updated_at FROM whizbang_models WHERE perspective = ? AND tenant = ?',
        )
        .bind(perspective, tenant)
        .raw();
      return runQuery(rows.map(modelOf), (row) => row.model, query, limits);
    },
    async checkpoint(perspective) {
      const row = await db
        .prepare('SELECT position FROM whizbang_checkpoints WHERE perspective = ?')
        .bind(perspective)
        .first<{ position: number }>();
      return Number(row?.position ?? 0);
    },
    transaction<T>(fn: (tx: StoreWriter) => T | Promise<T>): Promise<T> {
      return decided(async () => {
        const tx = new D1Transaction(db);
        const value = await fn(tx.writer());
        await tx.commit();
        return value;
      });
    },
    async clear(perspective) {
      await db.batch([
        db.prepare('DELETE FROM whizbang_models WHERE perspective = ?').bind(perspective),
        db.prepare('DELETE FROM whizbang_checkpoints WHERE perspective = ?').bind(perspective),
      ]);
    },
    outbox: d1Outbox(db),
    snapshots: {
      async load(kind, tenant, id): Promise<Snapshot | undefined> {
        const row = await db
          .prepare(
            'SELECT version, schema_version, state, taken_at FROM whizbang_snapshots WHERE kind = ? AND tenant = ? AND id = ?',
          )
          .bind(kind, tenant, id)
          .first();
        if (row === null) return undefined;
        return {
          version: Number(row.version),
          schemaVersion: Number(row.schema_version),
          state: JSON.parse(row.state as string),
          takenAt: Number(row.taken_at),
        };
      },
      async save(kind, tenant, id, snapshot): Promise<void> {
        await db
          .prepare(
            'INSERT OR REPLACE INTO whizbang_snapshots (kind, tenant, id, version, schema_version, state, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .bind(
            kind,
            tenant,
            id,
            snapshot.version,
            snapshot.schemaVersion,
            JSON.stringify(snapshot.state),
            snapshot.takenAt,
          )
          .run();
      },
      async drop(tenant, id): Promise<void> {
        await db
          .prepare('DELETE FROM whizbang_snapshots WHERE tenant = ? AND id = ?')
          .bind(tenant, id)
          .run();
      },
    },
  };
}
