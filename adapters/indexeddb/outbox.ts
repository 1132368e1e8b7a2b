/**
 * The IndexedDB outbox's reading side, its dead letters, and the inbox's questions. Records wait
 * in the `outbox` store in line order (`seq`); `pending` skips whatever stands behind a record of
 * its stream (`outboxStream`) that is not due. Dead letters wait in `deadLetters`, in the order
 * they died, until replayed.
 */

import {
  type DeadLetterRecord,
  type OutboxCounts,
  type OutboxRecord,
  type OutboxStore,
  outboxStream,
} from '../../js/mod.ts';
import type { Connection } from './connection.ts';
import { INDEXES, STORES } from './schema.ts';
import { read } from './transaction.ts';
import type { InboxRecord } from './writer.ts';

/** A row of the outbox or the dead letters: the record plus its place in line. */
type Row<R> = R & { readonly seq: number };

function strip<R extends OutboxRecord>(row: Row<R>): R {
  const { seq: _seq, ...record } = row;
  return record as unknown as R;
}

/** The due records of the outbox store, in line order, a stream waiting for its oldest record. */
function due(store: IDBObjectStore, limit: number, now: number): Promise<OutboxRecord[]> {
  return new Promise((resolve, reject) => {
    const found: OutboxRecord[] = [];
    const held = new Set<string>();
    const request = store.openCursor();
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor === null) return resolve(found);
      const row = cursor.value as Row<OutboxRecord>;
      const stream = outboxStream(row);
      if (row.availableAt > now) held.add(stream);
      else if (!held.has(stream)) found.push(strip(row));
      if (found.length >= limit) return resolve(found);
      cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

/** The outbox store's reading side over an open connection. */
export function indexedDbOutbox(connection: Connection): OutboxStore {
  const write = (stores: readonly string[], change: (tx: IDBTransaction) => void) =>
    connection.change(stores, change);

  /** The outbox row of a message id, in a read-write transaction over `stores`, then `change` on it. */
  const onOutboxRow = (
    id: string,
    stores: readonly string[],
    change: (tx: IDBTransaction, row: Row<OutboxRecord>) => void,
  ) =>
    write(stores, (tx) => {
      const request = tx.objectStore(STORES.outbox).index(INDEXES.outboxId).get(id);
      request.onsuccess = () => {
        const row = request.result as Row<OutboxRecord> | undefined;
        if (row !== undefined) change(tx, row);
      };
    });

  const inboxRow = async (tenant: string, messageId: string): Promise<InboxRecord | undefined> => {
    const store = connection.read(STORES.inbox).objectStore(STORES.inbox);
    return (await read(store.get([tenant, messageId]))) as InboxRecord | undefined;
  };

  return {
    async pending(limit: number, now: number): Promise<OutboxRecord[]> {
      if (limit <= 0) return [];
      return due(connection.read(STORES.outbox).objectStore(STORES.outbox), limit, now);
    },
    delivered: (ids: readonly string[]): Promise<void> =>
      write([STORES.outbox], (tx) => {
        const store = tx.objectStore(STORES.outbox);
        for (const id of ids) {
          const request = store.index(INDEXES.outboxId).getKey(id);
          request.onsuccess = () => {
            if (request.result !== undefined) store.delete(request.result);
          };
        }
      }),
    retryLater: (id: string, error: string, availableAt: number): Promise<void> =>
      onOutboxRow(id, [STORES.outbox], (tx, row) => {
        tx.objectStore(STORES.outbox).put({
          ...row,
          attempts: row.attempts + 1,
          availableAt,
          lastError: error,
        });
      }),
    deadLetter: (id: string, error: string, at: number): Promise<void> =>
      onOutboxRow(id, [STORES.outbox, STORES.deadLetters], (tx, row) => {
        tx.objectStore(STORES.outbox).delete(row.seq);
        const dead = tx.objectStore(STORES.deadLetters);
        const letter: DeadLetterRecord = {
          ...strip(row),
          attempts: row.attempts + 1,
          lastError: error,
          deadAt: at,
        };
        const earlier = dead.index(INDEXES.deadLetterId).getKey(id);
        earlier.onsuccess = () => {
          if (earlier.result !== undefined) dead.delete(earlier.result);
          dead.add(letter);
        };
      }),
    async deadLetters(limit?: number): Promise<DeadLetterRecord[]> {
      const store = connection.read(STORES.deadLetters).objectStore(STORES.deadLetters);
      const rows = (await read(store.getAll(null, limit))) as Row<DeadLetterRecord>[];
      return rows.map(strip);
    },
    async replay(ids?: readonly string[]): Promise<number> {
      let moved = 0;
      const now = Date.now();
      await write([STORES.outbox, STORES.deadLetters], (tx) => {
        const dead = tx.objectStore(STORES.deadLetters);
        const outbox = tx.objectStore(STORES.outbox);
        const back = (row: Row<DeadLetterRecord>): void => {
          const { lastError: _error, deadAt: _at, ...record } = strip(row);
          dead.delete(row.seq);
          outbox.add({ ...record, attempts: 0, availableAt: now });
          moved++;
        };
        if (ids === undefined) {
          const all = dead.getAll();
          all.onsuccess = () => {
            for (const row of all.result as Row<DeadLetterRecord>[]) back(row);
          };
          return;
        }
        for (const id of ids) {
          const one = dead.index(INDEXES.deadLetterId).get(id);
          one.onsuccess = () => {
            if (one.result !== undefined) back(one.result as Row<DeadLetterRecord>);
          };
        }
      });
      return moved;
    },
    async counts(): Promise<OutboxCounts> {
      const tx = connection.read([STORES.outbox, STORES.deadLetters, STORES.inbox]);
      const [outbox, deadLetters, inbox] = await Promise.all(
        [STORES.outbox, STORES.deadLetters, STORES.inbox].map((name) =>
          read(tx.objectStore(name).count()),
        ),
      );
      return { outbox: outbox!, deadLetters: deadLetters!, inbox: inbox! };
    },
    handled: async (tenant: string, messageId: string): Promise<boolean> =>
      (await inboxRow(tenant, messageId)) !== undefined,
    unfinished: async (tenant: string, messageId: string): Promise<unknown> =>
      (await inboxRow(tenant, messageId))?.rest,
  };
}
