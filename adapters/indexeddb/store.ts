/**
 * The IndexedDB perspective store, with the outbox and inbox (`outbox.ts`) and snapshots. Models are kept as structured
 * clones keyed by (perspective, tenant, id); a transaction is one read-write IndexedDB
 * transaction over the models, checkpoints, outbox and inbox, open until its callback settles.
 */

import {
  checkQuery,
  countMatches,
  DEFAULT_LIMITS,
  isThenable,
  type Limits,
  runQuery,
} from '../../js/kit/mod.ts';
import type {
  AsyncPerspectiveStore,
  MaybePromise,
  OutboxStore,
  Query,
  Snapshot,
  SnapshotStore,
  StoredModel,
  StoreWriter,
  Where,
} from '../../js/mod.ts';
import { type Connection, WRITER_STORES } from './connection.ts';
import { declareFields } from './declare.ts';
import { indexedDbOutbox } from './outbox.ts';
import { type ModelRecord, toModel } from './records.ts';
import { INDEXES, STORES } from './schema.ts';
import { read } from './transaction.ts';
import { writerOf } from './writer.ts';

/** The IndexedDB store answers asynchronously. */
export interface IndexedDbStore extends AsyncPerspectiveStore {
  /** How many models of a perspective for a tenant match `where`. */
  count(perspective: string, tenant: string, where: Where | undefined): Promise<number>;
  /** Keeps `fields` of a perspective's models in the `fields` index (see fields.ts). */
  declare(perspective: string, fields: readonly string[]): Promise<void>;
  /** Deletes every model of a perspective and its checkpoint (before a rebuild). */
  clear(perspective: string): Promise<void>;
  /** The outbox (and inbox) kept in the same database. */
  readonly outbox: OutboxStore;
  /** Snapshots of stateful streams kept in the same database. */
  readonly snapshots: SnapshotStore;
}

interface SnapshotRecord extends Snapshot {
  readonly kind: string;
  readonly tenant: string;
  readonly id: string;
}

/** Creates the store over an open connection. */
export function indexedDbStore(
  connection: Connection,
  limits: Limits = DEFAULT_LIMITS,
): IndexedDbStore {
  const { keys } = connection;
  const models = (perspective: string, tenant?: string): IDBKeyRange =>
    tenant === undefined
      ? keys.bound([perspective], [perspective, []])
      : keys.bound([perspective, tenant], [perspective, tenant, []]);

  const write = (stores: readonly string[], change: (tx: IDBTransaction) => void) =>
    connection.change(stores, change);

  const outbox = indexedDbOutbox(connection);

  /**
   * The tenant's models `where` may match: from key ranges of the `fields` index when it filters
   * on a declared field, else all of them; the evaluator in JavaScript decides on them, as on
   * every driver.
   */
  const candidates = async (
    perspective: string,
    tenant: string,
    where: Where | undefined,
  ): Promise<StoredModel[]> => {
    const store = connection.read(STORES.perspectives).objectStore(STORES.perspectives);
    const ranges = connection.fields.ranges(keys, perspective, tenant, where);
    if (ranges === undefined) {
      return ((await read(store.getAll(models(perspective, tenant)))) as ModelRecord[]).map(
        toModel,
      );
    }
    const index = store.index(INDEXES.fields);
    const found = await Promise.all(ranges.map((r) => read(index.getAll(r))));
    return (found.flat() as ModelRecord[]).map(toModel);
  };

  const snapshots: SnapshotStore = {
    async load(kind: string, tenant: string, id: string): Promise<Snapshot | undefined> {
      const store = connection.read(STORES.snapshots).objectStore(STORES.snapshots);
      const row = (await read(store.get([kind, tenant, id]))) as SnapshotRecord | undefined;
      if (row === undefined) return undefined;
      return {
        version: row.version,
        state: row.state,
        schemaVersion: row.schemaVersion,
        takenAt: row.takenAt,
      };
    },
    save: (kind: string, tenant: string, id: string, snapshot: Snapshot): Promise<void> =>
      write([STORES.snapshots], (tx) => {
        const record: SnapshotRecord = {
          kind,
          tenant,
          id,
          version: snapshot.version,
          state: snapshot.state,
          schemaVersion: snapshot.schemaVersion,
          takenAt: snapshot.takenAt,
        };
        tx.objectStore(STORES.snapshots).put(record);
      }),
    drop: (tenant: string, id: string): Promise<void> =>
      write([STORES.snapshots], (tx) => {
        const cursor = tx
          .objectStore(STORES.snapshots)
          .index(INDEXES.snapshotStream)
          .openCursor(keys.only([tenant, id]));
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (at === null) return;
          at.delete();
          at.continue();
        };
      }),
  };

  return {
    async get(perspective: string, tenant: string, id: string): Promise<StoredModel | undefined> {
      const store = connection.read(STORES.perspectives).objectStore(STORES.perspectives);
      const row = (await read(store.get([perspective, tenant, id]))) as ModelRecord | undefined;
      return row === undefined ? undefined : toModel(row);
    },
    async query(perspective: string, tenant: string, query: Query): Promise<StoredModel[]> {
      checkQuery(query, limits);
      const rows = await candidates(perspective, tenant, query.where);
      return runQuery(rows, (row) => row.model, query, limits);
    },
    async count(perspective: string, tenant: string, where: Where | undefined): Promise<number> {
      checkQuery(where === undefined ? {} : { where }, limits);
      const rows = await candidates(perspective, tenant, where);
      return countMatches(rows, (row) => row.model, where, limits);
    },
    declare: (perspective: string, fields: readonly string[]): Promise<void> =>
      declareFields(connection, perspective, fields),
    async checkpoint(perspective: string): Promise<number> {
      const store = connection.read(STORES.checkpoints).objectStore(STORES.checkpoints);
      const row = (await read(store.get(perspective))) as { position: number } | undefined;
      return row?.position ?? 0;
    },
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T> {
      try {
        const t = connection.write(WRITER_STORES);
        let value: T | undefined;
        try {
          const result = fn(writerOf(t, connection.fields));
          if (isThenable<T>(result)) {
            t.hold(
              Promise.resolve(result).then((v) => {
                value = v;
              }),
            );
          } else value = result;
        } catch (error) {
          t.fail(error);
        }
        return t.finish(() => value as T);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    clear: (perspective: string): Promise<void> =>
      write([STORES.perspectives, STORES.checkpoints], (tx) => {
        tx.objectStore(STORES.perspectives).delete(models(perspective));
        tx.objectStore(STORES.checkpoints).delete(perspective);
      }),
    outbox,
    snapshots,
  };
}
