/**
 * One D1 transaction, as D1 allows it: reads go to the database as they are asked (each one
 * remembered with a guard on what it saw), writes wait in order, and `commit` sends the guards and
 * the writes as one `batch`, which D1 runs all-or-nothing. A guard that fails rolls the batch back;
 * the caller reads again and decides again.
 */
import { type StoredModel, type StoreWriter, WhizbangError } from '../../../js/mod.ts';
import { ENQUEUE, outboxRow } from '../../sqlite/outbox.ts';
import {
  DELETE_MODEL,
  modelOf,
  modelRow,
  REPLACE_MODEL,
  SET_CHECKPOINT,
} from '../../sqlite/store.ts';
import type { D1Database, D1PreparedStatement, D1Result } from './binding.ts';
import { guard } from './errors.ts';

const MODEL_STAMP = `(SELECT version || ':' || position || ':' || updated_at FROM whizbang_models
  WHERE perspective = ? AND tenant = ? AND id = ?)`;

/** The select of a model by perspective, tenant and id. */
export const MODEL =
  'SELECT id, tenant, model, version, position, updated_at FROM whizbang_models WHERE perspective = ? AND tenant = ? AND id = ?';

const key = (perspective: string, tenant: string, id: string): string =>
  JSON.stringify([perspective, tenant, id]);

/** The guards, the writes and the models as this transaction sees them. */
export class D1Transaction {
  readonly #db: D1Database;
  readonly #guards: D1PreparedStatement[] = [];
  readonly #writes: D1PreparedStatement[] = [];
  readonly #models = new Map<
    string,
    { perspective: string; row: StoredModel | null; tenant: string; id: string }
  >();
  readonly #checkpoints = new Map<string, number>();
  readonly #marked = new Set<string>();

  /** A transaction on `db`. */
  constructor(db: D1Database) {
    this.#db = db;
  }

  /** Adds a guard: the batch fails unless `condition` (SQL, with `params`) holds at commit. */
  guard(condition: string, ...params: unknown[]): void {
    this.#guards.push(this.#db.prepare(guard(condition)).bind(...params));
  }

  /** Adds a write, in order. */
  write(sql: string, ...params: unknown[]): void {
    this.#writes.push(this.#db.prepare(sql).bind(...params));
  }

  /** Sends the guards and the writes as one batch; nothing is kept when it fails. */
  async commit(): Promise<D1Result[]> {
    const statements = [...this.#guards, ...this.#writes];
    for (const { perspective, tenant, id, row } of this.#models.values()) {
      statements.push(
        row === null
          ? this.#db.prepare(DELETE_MODEL).bind(perspective, tenant, id)
          : this.#db.prepare(REPLACE_MODEL).bind(...modelRow(perspective, row)),
      );
    }
    for (const [perspective, position] of this.#checkpoints) {
      statements.push(this.#db.prepare(SET_CHECKPOINT).bind(perspective, position));
    }
    if (statements.length === 0) return [];
    return this.#db.batch(statements);
  }

  /** The store writer of this transaction. */
  writer(): StoreWriter {
    return {
      get: async (perspective, tenant, id) => {
        const held = this.#models.get(key(perspective, tenant, id));
        if (held !== undefined) return held.row ?? undefined;
        const row = (await this.#db.prepare(MODEL).bind(perspective, tenant, id).raw())[0];
        const model = row === undefined ? undefined : modelOf(row);
        // decided on what was read: the batch fails if another writer changed it since
        this.guard(
          `${MODEL_STAMP} IS ?`,
          perspective,
          tenant,
          id,
          model === undefined ? null : `${model.version}:${model.position}:${model.updatedAt}`,
        );
        return model;
      },
      put: (perspective, row) => {
        this.#models.set(key(perspective, row.tenant, row.id), {
          perspective,
          tenant: row.tenant,
          id: row.id,
          row,
        });
      },
      delete: (perspective, tenant, id) => {
        this.#models.set(key(perspective, tenant, id), { perspective, tenant, id, row: null });
      },
      setCheckpoint: (perspective, position) => {
        this.#checkpoints.set(perspective, position);
      },
      outbox: {
        enqueue: (records) => {
          for (const r of records) this.write(ENQUEUE, ...outboxRow(r));
        },
        markHandled: async (tenant, messageId, rest) => {
          const mark = JSON.stringify([tenant, messageId]);
          const seen =
            this.#marked.has(mark) ||
            (await this.#db
              .prepare('SELECT 1 AS x FROM whizbang_inbox WHERE tenant = ? AND message_id = ?')
              .bind(tenant, messageId)
              .first()) !== null;
          if (seen) {
            throw new WhizbangError(
              'DUPLICATE_MESSAGE',
              `Message ${messageId} was handled already; this delivery is a duplicate.`,
            );
          }
          this.#marked.add(mark);
          // a plain INSERT: a delivery handled elsewhere since the read fails the batch on the key
          this.write(
            'INSERT INTO whizbang_inbox (tenant, message_id, handled_at, rest) VALUES (?, ?, ?, ?)',
            tenant,
            messageId,
            Date.now(),
            rest === undefined ? null : JSON.stringify(rest),
          );
        },
        markFinished: (tenant, messageId) => {
          this.write(
            'UPDATE whizbang_inbox SET rest = NULL WHERE tenant = ? AND message_id = ?',
            tenant,
            messageId,
          );
        },
      },
    };
  }
}
