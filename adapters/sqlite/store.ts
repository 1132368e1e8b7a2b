/**
 * The SQLite perspective store, and snapshots (the outbox and inbox are in `outbox.ts`): models as JSON rows keyed by
 * (perspective, tenant, id). Transactions are synchronous `BEGIN IMMEDIATE … COMMIT`; the ledger's
 * append reuses the same writer inside its own transaction.
 */

import {
  checkQuery,
  countMatches,
  DEFAULT_LIMITS,
  type Limits,
  runQuery,
} from '../../js/kit/mod.ts';
import type {
  MaybePromise,
  OutboxStore,
  PerspectiveStore,
  Query,
  Snapshot,
  SnapshotStore,
  StoredModel,
  StoreWriter,
  Where,
} from '../../js/mod.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';
import type { Gate } from './gate.ts';
import { indexSql, narrowing } from './narrow.ts';
import { sqliteOutbox, sqliteOutboxWriter } from './outbox.ts';

/** The SQLite store; `writer()` writes inside whatever transaction is open. */
export interface SqliteStore extends PerspectiveStore {
  /** The stored model of a perspective by id, for a tenant. */
  get(perspective: string, tenant: string, id: string): StoredModel | undefined;
  /** The stored models of a perspective for a tenant that match `query` (filter, order, page). */
  query(perspective: string, tenant: string, query: Query): StoredModel[];
  /** The global position a perspective has applied up to (0 before any). */
  checkpoint(perspective: string): number;
  /** The outbox (and inbox) kept in the same database. */
  readonly outbox: OutboxStore;
  /** Snapshots of stateful streams kept in the same database. */
  readonly snapshots: SnapshotStore;
  /** A writer for the current transaction (an append's inline perspectives use it). */
  writer(): StoreWriter;
}

function toModel(row: Record<string, unknown>): StoredModel {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    model: JSON.parse(row.model as string),
    version: Number(row.version),
    position: Number(row.position),
    updatedAt: Number(row.updated_at),
  };
}

/** The stored model of a row of `id, tenant, model, version, position, updated_at` as values. */
export function modelOf(row: readonly unknown[]): StoredModel {
  return {
    id: row[0] as string,
    tenant: row[1] as string,
    model: JSON.parse(row[2] as string),
    version: Number(row[3]),
    position: Number(row[4]),
    updatedAt: Number(row[5]),
  };
}

/** The write of one model row, its values given by `modelRow`. */
export const REPLACE_MODEL: string =
  'INSERT OR REPLACE INTO whizbang_models (perspective, tenant, id, model, version, position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** A perspective's model as the values of `REPLACE_MODEL`. */
export function modelRow(perspective: string, row: StoredModel): unknown[] {
  return [
    perspective,
    row.tenant,
    row.id,
    JSON.stringify(row.model),
    row.version,
    row.position,
    row.updatedAt,
  ];
}

/** The delete of one model (perspective, tenant, id). */
export const DELETE_MODEL: string =
  'DELETE FROM whizbang_models WHERE perspective = ? AND tenant = ? AND id = ?';

/** The write of a perspective's checkpoint (perspective, position). */
export const SET_CHECKPOINT: string =
  'INSERT INTO whizbang_checkpoints (perspective, position) VALUES (?, ?) ON CONFLICT (perspective) DO UPDATE SET position = excluded.position';

/**
 * Creates the store over an open (migrated) database; `watch`, when given, is its `watch` (other
 * connections' commits, see watch.ts).
 */
export function sqliteStore(
  db: SqliteDatabase,
  gate: Gate,
  limits: Limits = DEFAULT_LIMITS,
  watch?: PerspectiveStore['watch'],
): SqliteStore {
  const cache = new Map<string, SqliteStatement>();
  const sql = (text: string): SqliteStatement => {
    let s = cache.get(text);
    if (s === undefined) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  const COLUMNS = 'SELECT id, tenant, model, version, position, updated_at';
  const MODEL = `${COLUMNS} FROM whizbang_models`;
  const one = sql(`${MODEL} WHERE perspective = ? AND tenant = ? AND id = ?`);
  const read = (perspective: string, tenant: string, id: string): StoredModel | undefined => {
    if (one.values === undefined) {
      const row = one.get(perspective, tenant, id);
      return row === undefined ? undefined : toModel(row);
    }
    // as an array of values: cheaper than a row object (see `values` in engine.ts)
    const row = one.values(perspective, tenant, id)[0];
    return row === undefined ? undefined : modelOf(row);
  };
  const replace = sql(REPLACE_MODEL);
  const upsert = (perspective: string, row: StoredModel): void => {
    replace.run(...modelRow(perspective, row));
  };

  // Models written in the open transaction, written to the table right before it commits: a
  // rebuild or a batch that moves one model many times writes its row once, and reads it back
  // from here instead of parsing it again. Every read on this connection sees them, as it would
  // see the rows; a rollback drops them.
  // By perspective, tenant and id: no key string to build (and hash) for each event.
  const pending = new Map<string, Map<string, Map<string, StoredModel>>>();
  const flush = (): void => {
    if (pending.size === 0) return;
    for (const [perspective, tenants] of pending) {
      for (const models of tenants.values())
        for (const row of models.values()) upsert(perspective, row);
    }
    pending.clear();
  };
  const hold = (perspective: string, row: StoredModel): void => {
    let tenants = pending.get(perspective);
    if (tenants === undefined) {
      tenants = new Map();
      pending.set(perspective, tenants);
    }
    let models = tenants.get(row.tenant);
    if (models === undefined) {
      models = new Map();
      tenants.set(row.tenant, models);
    }
    models.set(row.id, row);
  };
  gate.hook({
    beforeCommit: flush,
    afterRollback(): void {
      pending.clear();
    },
  });
  const get = (perspective: string, tenant: string, id: string): StoredModel | undefined => {
    if (pending.size > 0) {
      const written = pending.get(perspective)?.get(tenant)?.get(id);
      if (written !== undefined) return written;
    }
    return read(perspective, tenant, id);
  };

  // The declared fields of each perspective: a query's filters on them narrow the rows through
  // their indexes; the evaluator in JavaScript decides on what is left, as on every driver.
  const declared = new Map<string, ReadonlySet<string>>();
  const candidates = (perspective: string, tenant: string, query: Query): StoredModel[] => {
    flush(); // a query while a transaction is open sees its writes
    const narrow = narrowing(query, declared.get(perspective));
    return sql(
      `${COLUMNS} FROM whizbang_models${narrow.indexedBy} WHERE perspective = ? AND tenant = ?${narrow.sql}`,
    )
      .all(perspective, tenant, ...narrow.params)
      .map(toModel);
  };

  const outboxWriter = sqliteOutboxWriter(sql);

  const writer: StoreWriter = {
    get,
    put(perspective, row) {
      if (gate.open) hold(perspective, row);
      else upsert(perspective, row);
    },
    delete(perspective, tenant, id) {
      if (pending.size > 0) pending.get(perspective)?.get(tenant)?.delete(id);
      sql(DELETE_MODEL).run(perspective, tenant, id);
    },
    checkpoint(perspective) {
      // the transaction holds SQLite's write lock: no other process moves it until it ends
      return Number(
        sql('SELECT position FROM whizbang_checkpoints WHERE perspective = ?').get(perspective)
          ?.position ?? 0,
      );
    },
    setCheckpoint(perspective, position) {
      sql(SET_CHECKPOINT).run(perspective, position);
    },
    outbox: outboxWriter,
  };

  return {
    get,
    query(perspective: string, tenant: string, query: Query): StoredModel[] {
      checkQuery(query, limits);
      return runQuery(candidates(perspective, tenant, query), (row) => row.model, query, limits);
    },
    count(perspective: string, tenant: string, where: Where | undefined): number {
      const query = where === undefined ? {} : { where };
      checkQuery(query, limits);
      return countMatches(
        candidates(perspective, tenant, query),
        (row) => row.model,
        where,
        limits,
      );
    },
    declare(perspective: string, fields: readonly string[]): void {
      for (const field of fields) db.exec(indexSql(field));
      declared.set(perspective, new Set(fields));
    },
    checkpoint: (perspective: string): number =>
      Number(
        sql('SELECT position FROM whizbang_checkpoints WHERE perspective = ?').get(perspective)
          ?.position ?? 0,
      ),
    writer: () => writer,
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): MaybePromise<T> {
      return gate.run(() => fn(writer));
    },
    clear(perspective: string): MaybePromise<void> {
      return gate.run(() => {
        sql('DELETE FROM whizbang_models WHERE perspective = ?').run(perspective);
        sql('DELETE FROM whizbang_checkpoints WHERE perspective = ?').run(perspective);
      });
    },
    outbox: sqliteOutbox(sql, gate),
    ...(watch === undefined ? {} : { watch }),
    snapshots: {
      load(kind: string, tenant: string, id: string): Snapshot | undefined {
        const row = sql(
          'SELECT version, schema_version, state, taken_at FROM whizbang_snapshots WHERE kind = ? AND tenant = ? AND id = ?',
        ).get(kind, tenant, id);
        if (row === undefined) return undefined;
        return {
          version: Number(row.version),
          schemaVersion: Number(row.schema_version),
          state: JSON.parse(row.state as string),
          takenAt: Number(row.taken_at),
        };
      },
      save(kind: string, tenant: string, id: string, snapshot: Snapshot): void {
        sql(
          'INSERT OR REPLACE INTO whizbang_snapshots (kind, tenant, id, version, schema_version, state, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(
          kind,
          tenant,
          id,
          snapshot.version,
          snapshot.schemaVersion,
          JSON.stringify(snapshot.state),
          snapshot.takenAt,
        );
      },
      drop(tenant: string, id: string): void {
        sql('DELETE FROM whizbang_snapshots WHERE tenant = ? AND id = ?').run(tenant, id);
      },
    },
  };
}
