/**
 * Writes inside one transaction: read models, checkpoints, the outbox and the inbox. Every call
 * is a request of that transaction (reads see its own writes), so a failure anywhere leaves none
 * of them behind.
 */

import {
  type OutboxRecord,
  type OutboxWriter,
  type StoredModel,
  type StoreWriter,
  WhizbangError,
} from '../../js/mod.ts';
import type { DeclaredFields } from './fields.ts';
import { type ModelRecord, toModel } from './records.ts';
import { STORES } from './schema.ts';
import type { Transaction } from './transaction.ts';

const nothing = (): void => undefined;

/** `p`, marked handled: a write the work does not await must not become an unhandled rejection. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(nothing);
  return p;
}

/** A handled incoming message in the `inbox` store. */
export interface InboxRecord {
  readonly tenant: string;
  readonly messageId: string;
  readonly handledAt: number;
  /** What is left of an unfinished handling. */
  readonly rest?: unknown;
}

/** The writer of `t`: the store's writes, plus the outbox and inbox. */
export function writerOf(t: Transaction, fields: DeclaredFields): StoreWriter {
  const outbox: OutboxWriter = {
    enqueue(records: readonly OutboxRecord[]): Promise<void> {
      return quiet(
        Promise.all(
          records.map((r) => t.request((tx) => tx.objectStore(STORES.outbox).add({ ...r }))),
        ).then(nothing),
      );
    },
    markHandled(tenant: string, messageId: string, rest?: unknown): Promise<void> {
      const record: InboxRecord = {
        tenant,
        messageId,
        handledAt: Date.now(),
        ...(rest === undefined ? {} : { rest }),
      };
      return quiet(
        t
          .request(
            (tx) => tx.objectStore(STORES.inbox).add(record),
            (error) =>
              error?.name === 'ConstraintError'
                ? new WhizbangError(
                    'DUPLICATE_MESSAGE',
                    `Message ${messageId} was handled already; this delivery is a duplicate.`,
                  )
                : undefined,
          )
          .then(nothing),
      );
    },
    markFinished(tenant: string, messageId: string): Promise<void> {
      return quiet(
        t
          .request((tx) => tx.objectStore(STORES.inbox).get([tenant, messageId]))
          .then((row: InboxRecord | undefined) => {
            if (row?.rest === undefined) return;
            const { rest: _rest, ...finished } = row;
            return t.request((tx) => tx.objectStore(STORES.inbox).put(finished)).then(nothing);
          }),
      );
    },
  };
  return {
    get: (perspective: string, tenant: string, id: string): Promise<StoredModel | undefined> =>
      quiet(
        t
          .request((tx) => tx.objectStore(STORES.perspectives).get([perspective, tenant, id]))
          .then((r: ModelRecord | undefined) => (r === undefined ? undefined : toModel(r))),
      ),
    put: (perspective: string, row: StoredModel): Promise<void> => {
      const ix = fields.entries(perspective, row.tenant, row.model);
      const record: ModelRecord = {
        perspective,
        id: row.id,
        tenant: row.tenant,
        model: row.model,
        version: row.version,
        position: row.position,
        updatedAt: row.updatedAt,
        ...(ix === undefined ? {} : { ix }),
      };
      return quiet(
        t.request((tx) => tx.objectStore(STORES.perspectives).put(record)).then(nothing),
      );
    },
    delete: (perspective: string, tenant: string, id: string): Promise<void> =>
      quiet(
        t
          .request((tx) => tx.objectStore(STORES.perspectives).delete([perspective, tenant, id]))
          .then(nothing),
      ),
    setCheckpoint: (perspective: string, position: number): Promise<void> =>
      quiet(
        t
          .request((tx) => tx.objectStore(STORES.checkpoints).put({ perspective, position }))
          .then(nothing),
      ),
    outbox,
  };
}
