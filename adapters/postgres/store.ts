/**
 * The PostgreSQL perspective store and snapshots (the outbox and inbox are in `outbox.ts`): models as JSONB rows keyed by
 * (perspective, tenant, id). A transaction runs on one connection of the pool; the models it writes
 * are kept until just before COMMIT and written in one statement (a batch that moves one model many
 * times writes its row once, and reads it back without a round trip).
 */

import { DEFAULT_LIMITS, type Limits } from '../../js/kit/mod.ts';
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
import type { PgConnection, PgEngine } from './engine.ts';
import { indexSql } from './keyset.ts';
import { pgOutbox, pgOutboxWriter } from './outbox.ts';
import { toSql } from './query.ts';
import type { SchemaNames } from './schema.ts';
import { AT, checkText, jsonFor, MS } from './text.ts';

/** The PostgreSQL store answers asynchronously. */
export interface PgStore extends AsyncPerspectiveStore {
  /** Deletes every model of a perspective and its checkpoint (before a rebuild). */
  clear(perspective: string): Promise<void>;
  /** The outbox (and inbox) kept in the same database. */
  readonly outbox: OutboxStore;
  /** Snapshots of stateful streams kept in the same database. */
  readonly snapshots: SnapshotStore;
  /** Runs `work` in a transaction with a writer on its connection (the ledger's inline appends). */
  within<T>(work: (connection: PgConnection, writer: StoreWriter) => Promise<T>): Promise<T>;
}

/** A model written in an open transaction, with its JSON, until the transaction commits. */
interface PendingModel {
  readonly perspective: string;
  readonly row: StoredModel;
  readonly json: string;
}

function toModel(r: unknown[]): StoredModel {
  return {
    id: r[0] as string,
    tenant: r[1] as string,
    model: r[2],
    version: Number(r[3]),
    position: Number(r[4]),
    updatedAt: Number(r[5]),
  };
}

/** Creates the store over a migrated schema. */
export function pgStore(
  engine: PgEngine,
  s: SchemaNames,
  limits: Limits = DEFAULT_LIMITS,
): PgStore {
  const { q } = s;
  const COLUMNS = `id, tenant, model, version, position, ${MS('updated_at')}`;
  const GET = `SELECT ${COLUMNS} FROM ${q}.whizbang_models WHERE perspective = $1 AND tenant = $2 AND id = $3`;
  const UPSERT = `INSERT INTO ${q}.whizbang_models (perspective, tenant, id, model, version, position, updated_at)
    SELECT p, t, i, m, v, pos, ${AT('u')} FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[], $6::bigint[], $7::float8[]) AS x(p, t, i, m, v, pos, u)
    ON CONFLICT (perspective, tenant, id) DO UPDATE SET model = excluded.model, version = excluded.version, position = excluded.position, updated_at = excluded.updated_at`;
  const CHECKPOINT = `INSERT INTO ${q}.whizbang_checkpoints (perspective, position) VALUES ($1, $2) ON CONFLICT (perspective) DO UPDATE SET position = excluded.position`;

  const HOLD = `INSERT INTO ${q}.whizbang_checkpoints AS c (perspective, position) VALUES ($1, 0) ON CONFLICT (perspective) DO UPDATE SET position = c.position RETURNING position`;

  const read = async (
    c: PgConnection,
    perspective: string,
    tenant: string,
    id: string,
  ): Promise<StoredModel | undefined> => {
    if (perspective.includes('\0') || tenant.includes('\0') || id.includes('\0')) return undefined;
    const row = (await c.query(GET, [perspective, tenant, id]))[0];
    return row === undefined ? undefined : toModel(row);
  };

  const upsert = async (c: PgConnection, rows: readonly PendingModel[]): Promise<void> => {
    const n = rows.length;
    const cols: unknown[][] = [[], [], [], [], [], [], []];
    for (let i = 0; i < n; i++) {
      const { perspective, row, json } = rows[i]!;
      cols[0]![i] = perspective;
      cols[1]![i] = row.tenant;
      cols[2]![i] = row.id;
      cols[3]![i] = json;
      cols[4]![i] = row.version;
      cols[5]![i] = row.position;
      cols[6]![i] = row.updatedAt;
    }
    await c.query(UPSERT, cols);
  };

  const keyOf = (perspective: string, tenant: string, id: string): string =>
    `${perspective.length}:${perspective}${tenant.length}:${tenant}${id}`;

  /** A writer on one transaction's connection, and the flush to run before its COMMIT. */
  const writerOn = (c: PgConnection): { writer: StoreWriter; flush: () => Promise<void> } => {
    const pending = new Map<string, PendingModel>();
    const flush = async (): Promise<void> => {
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      pending.clear();
      await upsert(c, rows);
    };
    const outbox = pgOutboxWriter(c, s);
    const writer: StoreWriter = {
      async get(perspective, tenant, id) {
        const written = pending.get(keyOf(perspective, tenant, id));
        return written !== undefined ? written.row : read(c, perspective, tenant, id);
      },
      put(perspective, row) {
        checkText('perspective', perspective);
        checkText('model id', row.id);
        checkText('tenant', row.tenant);
        // encoded (and refused) now, not at commit; written as encoded
        const json = jsonFor(row.model);
        pending.set(keyOf(perspective, row.tenant, row.id), { perspective, row, json });
      },
      async delete(perspective, tenant, id) {
        pending.delete(keyOf(perspective, tenant, id));
        if (perspective.includes('\0') || tenant.includes('\0') || id.includes('\0')) return;
        await c.query(
          `DELETE FROM ${q}.whizbang_models WHERE perspective = $1 AND tenant = $2 AND id = $3`,
          [perspective, tenant, id],
        );
      },
      async checkpoint(perspective) {
        checkText('perspective', perspective);
        // a no-op write that locks the row until COMMIT, and waits for another holder's COMMIT
        const rows = await c.query(HOLD, [perspective]);
        return Number(rows[0]?.[0] ?? 0);
      },
      async setCheckpoint(perspective, position) {
        checkText('perspective', perspective);
        await c.query(CHECKPOINT, [perspective, position]);
      },
      outbox,
    };
    return { writer, flush };
  };

  const within = <T>(
    work: (connection: PgConnection, writer: StoreWriter) => Promise<T>,
  ): Promise<T> =>
    engine.transaction(async (c) => {
      const { writer, flush } = writerOn(c);
      const result = await work(c, writer);
      await flush();
      return result;
    });

  return {
    within,
    get: (perspective: string, tenant: string, id: string) => read(engine, perspective, tenant, id),
    async query(perspective: string, tenant: string, query: Query): Promise<StoredModel[]> {
      const sql = toSql(query, 'model', 2, limits);
      const rows = await engine.query(
        `SELECT ${COLUMNS} FROM ${q}.whizbang_models WHERE perspective = $1 AND tenant = $2${sql.where} ORDER BY ${sql.order}${sql.page}`,
        [perspective, tenant, ...sql.params],
      );
      return rows.map(toModel);
    },
    async count(perspective: string, tenant: string, where: Where | undefined): Promise<number> {
      const sql = toSql(where === undefined ? {} : { where }, 'model', 2, limits);
      const rows = await engine.query(
        `SELECT count(*) FROM ${q}.whizbang_models WHERE perspective = $1 AND tenant = $2${sql.where}`,
        [perspective, tenant, ...sql.params],
      );
      return Number(rows[0]?.[0] ?? 0);
    },
    async declare(_perspective: string, fields: readonly string[]): Promise<void> {
      // one index per field, shared by every perspective that declares it
      for (const field of fields) await engine.query(indexSql(`${q}.whizbang_models`, field), []);
    },
    async checkpoint(perspective: string): Promise<number> {
      const rows = await engine.query(
        `SELECT position FROM ${q}.whizbang_checkpoints WHERE perspective = $1`,
        [perspective],
      );
      return Number(rows[0]?.[0] ?? 0);
    },
    transaction: <T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T> =>
      within(async (_c, writer) => fn(writer)),
    clear: (perspective: string): Promise<void> =>
      engine.transaction(async (c) => {
        await c.query(`DELETE FROM ${q}.whizbang_models WHERE perspective = $1`, [perspective]);
        await c.query(`DELETE FROM ${q}.whizbang_checkpoints WHERE perspective = $1`, [
          perspective,
        ]);
      }),
    outbox: pgOutbox(engine, s),
    snapshots: {
      async load(kind: string, tenant: string, id: string): Promise<Snapshot | undefined> {
        const row = (
          await engine.query(
            `SELECT version, schema_version, state, ${MS('taken_at')} FROM ${q}.whizbang_snapshots WHERE kind = $1 AND tenant = $2 AND id = $3`,
            [kind, tenant, id],
          )
        )[0];
        if (row === undefined) return undefined;
        return {
          version: Number(row[0]),
          schemaVersion: Number(row[1]),
          state: row[2],
          takenAt: Number(row[3]),
        };
      },
      async save(kind: string, tenant: string, id: string, snapshot: Snapshot): Promise<void> {
        await engine.query(
          `INSERT INTO ${q}.whizbang_snapshots (kind, tenant, id, version, schema_version, state, taken_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, ${AT('$7')})
           ON CONFLICT (kind, tenant, id) DO UPDATE SET version = excluded.version, schema_version = excluded.schema_version, state = excluded.state, taken_at = excluded.taken_at`,
          [
            kind,
            tenant,
            id,
            snapshot.version,
            snapshot.schemaVersion,
            jsonFor(snapshot.state),
            snapshot.takenAt,
          ],
        );
      },
      async drop(tenant: string, id: string): Promise<void> {
        await engine.query(`DELETE FROM ${q}.whizbang_snapshots WHERE tenant = $1 AND id = $2`, [
          tenant,
          id,
        ]);
      },
    },
  };
}
